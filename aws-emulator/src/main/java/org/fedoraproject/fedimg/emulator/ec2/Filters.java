package org.fedoraproject.fedimg.emulator.ec2;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.ec2.model.Filter;

/** EC2 Describe* filters: every filter must match, any of a filter's values may match, with * and ? wildcards. */
final class Filters {

    private Filters() {
    }

    /**
     * @param attributes filter name -> the resource's values for it; returns null for a filter the resource
     *                   type does not support (answered with InvalidParameterValue, like AWS)
     */
    static boolean matches(List<Filter> filters, Map<String, String> tags,
            Function<String, Collection<String>> attributes) {
        if (filters == null) {
            return true;
        }
        for (Filter filter : filters) {
            String name = filter.name();
            if (name == null) {
                throw Ec2Exception.invalidParameterValue("The filter 'null' is invalid");
            }
            Collection<String> actual;
            if (name.startsWith("tag:")) {
                String value = tags.get(name.substring(4));
                actual = value == null ? List.of() : List.of(value);
            } else if (name.equals("tag-key")) {
                actual = tags.keySet();
            } else if (name.equals("tag-value")) {
                actual = tags.values();
            } else {
                actual = attributes.apply(name);
                if (actual == null) {
                    throw Ec2Exception.invalidParameterValue("The filter '" + name + "' is invalid");
                }
            }
            if (!anyMatch(filter.values(), actual)) {
                return false;
            }
        }
        return true;
    }

    static Set<String> supported(String... names) {
        return Set.of(names);
    }

    private static boolean anyMatch(List<String> wanted, Collection<String> actual) {
        for (String w : wanted) {
            Pattern p = wildcard(w);
            for (String a : actual) {
                if (a != null && p.matcher(a).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    static Pattern wildcard(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
            } else if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    static List<String> of(Object... values) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (Object v : values) {
            if (v != null) {
                out.add(String.valueOf(v));
            }
        }
        return out;
    }
}
