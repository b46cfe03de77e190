package org.egressaudit.analyzers.protocol.dns;

import java.util.Locale;
import java.util.Set;

/**
 * The registrable ("parent") domain of a name: its last two labels, or three when the last two are a common
 * two-level public suffix (co.uk, com.au...). A small built-in list, not the full Public Suffix List: it only
 * has to keep the label assembler from lumping every *.co.uk name together.
 */
public final class ParentDomains {
    private static final Set<String> TWO_LEVEL_SUFFIXES = Set.of(
            "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk",
            "com.au", "net.au", "org.au", "edu.au", "gov.au", "id.au",
            "co.nz", "org.nz", "net.nz", "govt.nz", "ac.nz",
            "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
            "co.za", "org.za", "gov.za",
            "com.br", "net.br", "org.br", "gov.br",
            "com.cn", "net.cn", "org.cn", "gov.cn",
            "co.in", "net.in", "org.in", "gov.in",
            "co.kr", "or.kr", "com.mx", "com.ar", "com.tr", "com.tw", "com.hk", "com.sg", "com.my",
            "co.il", "co.id", "com.ua", "com.pl", "com.ru", "co.th", "com.vn", "com.ph", "com.pk", "com.eg",
            "com.sa", "com.ng", "co.ke");

    private ParentDomains() {
    }

    /** Number of trailing labels that form the parent domain of {@code name} (at most its label count). */
    public static int parentLabelCount(DnsName name) {
        int n = name.labelCount();
        if (n >= 3) {
            String lastTwo = (name.label(n - 2) + "." + name.label(n - 1)).toLowerCase(Locale.ROOT);
            if (TWO_LEVEL_SUFFIXES.contains(lastTwo)) {
                return 3;
            }
        }
        return Math.min(2, n);
    }

    /** The parent domain in lower-case presentation form ("." for the root). */
    public static String parentOf(DnsName name) {
        return name.suffix(parentLabelCount(name)).lowerText();
    }
}
