package org.egressaudit.harness.scenario;

import java.util.List;

/** The fake vendor cloud's answers, in order: the first matching rule answers, else {@link ResponderRule#DEFAULT}. */
public record ResponderRules(List<ResponderRule> rules) {
    public ResponderRules {
        rules = List.copyOf(rules);
    }

    public static ResponderRules none() {
        return new ResponderRules(List.of());
    }

    /** The rule answering a request; see {@link ResponderRule#matches} for the arguments. */
    public ResponderRule find(String host, String method, String path) {
        for (ResponderRule r : rules) {
            if (r.matches(host, method, path)) {
                return r;
            }
        }
        return ResponderRule.DEFAULT;
    }
}
