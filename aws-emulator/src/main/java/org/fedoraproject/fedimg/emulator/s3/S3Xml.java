package org.fedoraproject.fedimg.emulator.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * S3's REST-XML: response documents in the {@code 2006-03-01} namespace, error documents (no namespace), and the
 * few request bodies the subset takes (CreateBucketConfiguration, CompleteMultipartUpload, Tagging, Delete,
 * AccessControlPolicy, OwnershipControls, PublicAccessBlockConfiguration), parsed without DTDs or entities.
 */
final class S3Xml {

    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    /** Request bodies of the subset are small; a larger one is refused, not buffered. */
    static final int MAX_BODY = 2 * 1024 * 1024;

    private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

    private S3Xml() {
    }

    /** A response document whose root element carries S3's namespace. */
    static S3Xml document(String root) {
        S3Xml x = new S3Xml();
        x.out.append('<').append(root).append(" xmlns=\"").append(NAMESPACE).append("\">");
        return x;
    }

    /** Elements to be put into a document later ({@link #raw}). */
    static S3Xml fragment() {
        S3Xml x = new S3Xml();
        x.out.setLength(0);
        return x;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    S3Xml open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    S3Xml close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    /** An element with text; nothing when the value is null. */
    S3Xml element(String name, Object value) {
        if (value != null) {
            out.append('<').append(name).append('>').append(escape(value.toString())).append("</").append(name)
                    .append('>');
        }
        return this;
    }

    /** Appends already formed XML (a grantee with its xsi:type). */
    S3Xml raw(String xml) {
        out.append(xml);
        return this;
    }

    String end(String root) {
        return out.append("</").append(root).append('>').toString();
    }

    /** {@code <Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId><HostId>…</HostId></Error>}. */
    static String error(S3Exception e, String requestId, String hostId) {
        S3Xml x = new S3Xml();
        x.open("Error").element("Code", e.code()).element("Message", e.getMessage());
        for (Map.Entry<String, String> d : e.details().entrySet()) {
            x.element(d.getKey(), d.getValue());
        }
        return x.element("RequestId", requestId).element("HostId", hostId).end("Error");
    }

    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\r' -> b.append("&#13;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    // ---- request bodies ----

    /** The document element of a request body; MalformedXML when it is not well-formed or not {@code root}. */
    static Element parse(byte[] body, String root) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Element e = b.parse(new ByteArrayInputStream(body)).getDocumentElement();
            if (!root.equals(e.getLocalName())) {
                throw S3Exception.malformedXml();
            }
            return e;
        } catch (SAXException | IOException e) {
            throw S3Exception.malformedXml();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The text of a child element, or null without one. */
    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
