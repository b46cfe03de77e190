package org.egressaudit.harness.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class (or method) whose tests run egress-audit scenarios for real: shorthand for
 * {@code @ExtendWith(EgressAuditExtension.class)}. Test methods take a {@link ScenarioRun} parameter.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(EgressAuditExtension.class)
public @interface EgressAuditScenario {
}
