package org.fedoraproject.fedimg.emulator.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

/**
 * Writes an SDK response model as the EC2 Query XML the SDK's unmarshaller reads, using the model's own
 * element names ({@code imagesSet/item/...}).
 */
public final class Ec2Xml {

    private static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Ec2Xml() {
    }

    public static String response(String action, SdkPojo response, String requestId) {
        StringBuilder xml = new StringBuilder(512);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<").append(action).append("Response xmlns=\"")
                .append(NAMESPACE).append("\">\n  <requestId>").append(requestId).append("</requestId>\n");
        writeFields(xml, response);
        xml.append("</").append(action).append("Response>\n");
        return xml.toString();
    }

    public static String error(String code, String message, String requestId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + escape(code)
                + "</Code><Message>" + escape(message) + "</Message></Error></Errors><RequestID>" + requestId
                + "</RequestID></Response>\n";
    }

    public static String timestamp(Instant instant) {
        return ISO.format(instant);
    }

    private static void writeFields(StringBuilder xml, SdkPojo pojo) {
        for (SdkField<?> field : pojo.sdkFields()) {
            if (field.location() != MarshallLocation.PAYLOAD) {
                continue;
            }
            Object value = field.getValueOrDefault(pojo);
            if (value == null || value instanceof SdkAutoConstructList || value instanceof SdkAutoConstructMap) {
                continue;
            }
            writeValue(xml, field.unmarshallLocationName(), field, value);
        }
    }

    private static void writeValue(StringBuilder xml, String name, SdkField<?> field, Object value) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.LIST) {
            ListTrait list = field.getTrait(ListTrait.class);
            String member = list.memberLocationName() == null ? "item" : list.memberLocationName();
            xml.append('<').append(name).append('>');
            for (Object item : (Collection<?>) value) {
                writeValue(xml, member, list.memberFieldInfo(), item);
            }
            xml.append("</").append(name).append(">\n");
        } else if (type == MarshallingType.SDK_POJO) {
            xml.append('<').append(name).append('>');
            writeFields(xml, (SdkPojo) value);
            xml.append("</").append(name).append(">\n");
        } else if (type == MarshallingType.MAP) {
            xml.append('<').append(name).append('>');
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                xml.append("<entry><key>").append(escape(String.valueOf(e.getKey()))).append("</key><value>")
                        .append(escape(String.valueOf(e.getValue()))).append("</value></entry>");
            }
            xml.append("</").append(name).append(">\n");
        } else {
            String text;
            if (value instanceof Instant instant) {
                text = timestamp(instant);
            } else if (value instanceof SdkBytes bytes) {
                text = java.util.Base64.getEncoder().encodeToString(bytes.asByteArray());
            } else {
                text = String.valueOf(value);
            }
            xml.append('<').append(name).append('>').append(escape(text)).append("</").append(name).append(">\n");
        }
    }

    private static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                default -> null;
            };
            if (rep != null || c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(rep != null ? rep : "&#" + (int) c + ";");
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
