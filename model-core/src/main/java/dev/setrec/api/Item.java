package dev.setrec.api;

import com.google.gson.annotations.JsonAdapter;

import java.util.List;

/** An item to onboard, with its text: at least one of the text fields must hold some. */
public record Item(@Required String itemId,
                   @JsonAdapter(value = Nullable.class, nullSafe = false) String title,
                   @JsonAdapter(value = Nullable.class, nullSafe = false) List<String> categories,
                   @JsonAdapter(value = Nullable.class, nullSafe = false) String brand,
                   @JsonAdapter(value = Nullable.class, nullSafe = false) String description) {
}
