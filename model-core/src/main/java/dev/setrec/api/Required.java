package dev.setrec.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A field every body of its type holds (openapi.yaml's {@code required}). Fields of primitive type always are; a
 * field of reference type without this mark is optional, and left out of the JSON where it is null.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Required {
}
