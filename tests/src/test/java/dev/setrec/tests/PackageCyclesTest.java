package dev.setrec.tests;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Every package of the product (all modules: this module's test class path has them all) depends on others without
 * a cycle, so each can be read, tested and moved on its own.
 */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        JavaClasses product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.setrec");
        ArchRule rule = slices().matching("dev.setrec.(**)").should().beFreeOfCycles();
        rule.check(product);
    }
}
