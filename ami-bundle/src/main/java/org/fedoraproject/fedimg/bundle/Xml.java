package org.fedoraproject.fedimg.bundle;

/** Just enough XML writing for the manifest: elements without whitespace between them, escaped text. */
final class Xml {

    private final StringBuilder sb = new StringBuilder(4096);

    Xml open(String tag) {
        sb.append('<').append(tag).append('>');
        return this;
    }

    Xml open(String tag, String attribute, String value) {
        sb.append('<').append(tag).append(' ').append(attribute).append("=\"");
        escape(value);
        sb.append("\">");
        return this;
    }

    Xml close(String tag) {
        sb.append("</").append(tag).append('>');
        return this;
    }

    Xml element(String tag, String text) {
        open(tag);
        escape(text);
        return close(tag);
    }

    Xml element(String tag, String attribute, String value, String text) {
        open(tag, attribute, value);
        escape(text);
        return close(tag);
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
    }
}
