package org.egressaudit.harness.run;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.harness.network.HttpAnswer;
import org.egressaudit.harness.network.HttpResponder;
import org.egressaudit.harness.scenario.ResponderRule;
import org.egressaudit.harness.scenario.ResponderRules;

/** Answers the sandbox's HTTP requests from the scenario's responder rules (first match, else the default). */
final class ScenarioResponder implements HttpResponder {
    private final ResponderRules rules;

    ScenarioResponder(ResponderRules rules) {
        this.rules = rules;
    }

    @Override
    public HttpAnswer answer(String host, String method, String path, HttpHeaders headers) {
        ResponderRule r = rules.find(host, method, path);
        Map<String, List<String>> h = new LinkedHashMap<>();
        r.headers().forEach((k, v) -> h.put(k, List.of(v)));
        // A body without a declared type is JSON (the default answer is); an empty 204/302 gets no type at all.
        if (r.body().length > 0 && h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
            h.put("Content-Type", List.of("application/json"));
        }
        return new HttpAnswer(r.status(), h, r.body());
    }
}
