package org.fedoraproject.fedimg.bridge.fedmsg;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bytes fedmsg signs: Python's {@code json.dumps(obj, sort_keys=True, separators=(',', ':'))} with the
 * default {@code ensure_ascii=True}, UTF-8 encoded (fedmsg/encoding). Reproduced exactly: keys sorted by code
 * point at every level, no spaces, every character outside printable ASCII as a lower-case {@code \\uXXXX}
 * (astral characters as their surrogate pair), {@code /} not escaped, and floats as Python's {@code repr}.
 */
public final class CanonicalJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {
    }

    public static byte[] bytes(JsonNode node) {
        return string(node).getBytes(StandardCharsets.UTF_8);
    }

    public static String string(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, true, ",", ":");
        return out.toString();
    }

    /**
     * Python's plain {@code json.dumps(obj)}: insertion order, {@code ", "} and {@code ": "} separators,
     * ASCII-only. fedora-messaging bodies and fedmsg frames on the wire are written like this.
     */
    public static String pythonDumps(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, false, ", ", ": ");
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out, boolean sort, String itemSep, String keySep) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> keys = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                    keys.add(it.next());
                }
                if (sort) {
                    keys.sort(CanonicalJson::compareCodePoints);
                }
                out.append('{');
                boolean first = true;
                for (String key : keys) {
                    if (!first) {
                        out.append(itemSep);
                    }
                    first = false;
                    string(key, out);
                    out.append(keySep);
                    write(node.get(key), out, sort, itemSep, keySep);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(itemSep);
                    }
                    write(node.get(i), out, sort, itemSep, keySep);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out);
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL, MISSING -> out.append("null");
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    out.append(node.bigIntegerValue().toString());
                } else {
                    out.append(pythonFloat(node.doubleValue()));
                }
            }
            default -> throw new IllegalArgumentException("cannot canonicalise a " + node.getNodeType() + " node");
        }
    }

    /** Python's str comparison orders by code point, which differs from UTF-16 order for astral characters. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) {
                        out.append(c);
                    } else {
                        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Python 3 {@code repr(float)}: the shortest digit string that reads back as the same double, written
     * in fixed notation when the decimal exponent is in [-4, 16) and as {@code d.ddde±XX} otherwise.
     */
    public static String pythonFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(v);
        BigDecimal shortest = exact;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == v) {
                shortest = candidate;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int decpt = digits.length() - shortest.scale(); // value = 0.<digits> × 10^decpt
        StringBuilder out = new StringBuilder(24);
        if (v < 0) {
            out.append('-');
        }
        if (decpt <= -4 || decpt > 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            out.append('e').append(exp < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exp));
            if (e.length() < 2) {
                out.append('0');
            }
            out.append(e);
        } else if (decpt <= 0) {
            out.append("0.").append("0".repeat(-decpt)).append(digits);
        } else if (decpt >= digits.length()) {
            out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        } else {
            out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return out.toString();
    }
}
