package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * A 2007-10-10 manifest, read only together with the check of its signature: {@link #read} verifies the
 * SHA-1/RSA signature over the text of {@code <machine_configuration>} and {@code <image>} (found as the AMI
 * tools find them, by their literal tags), then takes every value from those signed fragments, and refuses a
 * document whose elements differ from what was signed. What the accessors return is therefore signed.
 */
public final class BundleManifest {

    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_PARTS = 100_000;
    static final Pattern PART_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,254}");
    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-fA-F]{40}");
    private static final HexFormat HEX = HexFormat.of();

    private final MachineConfiguration machine;
    private final String name;
    private final String user;
    private final String type;
    private final String imageDigestSha1Hex;
    private final long imageSize;
    private final long bundledSize;
    private final BundleKeys.Sealed ec2Keys;
    private final BundleKeys.Sealed userKeys;
    private final List<PartInfo> parts;

    private BundleManifest(Element machine, Element image) throws InvalidManifestException {
        this.machine = machine == null ? null : machineConfiguration(machine);
        this.name = text(image, "name");
        this.user = text(image, "user");
        if (!ManifestWriter.ACCOUNT.matcher(user).matches()) {
            throw new InvalidManifestException("image/user must be a 12-digit account id: " + user);
        }
        this.type = text(image, "type");
        if (!List.of("machine", "kernel", "ramdisk").contains(type)) {
            throw new InvalidManifestException("image/type must be machine, kernel or ramdisk: " + type);
        }
        Element digest = child(image, "digest");
        algorithm(digest, ManifestWriter.DIGEST_ALGORITHM);
        this.imageDigestSha1Hex = sha1Hex(digest, "image/digest");
        this.imageSize = number(image, "size");
        this.bundledSize = number(image, "bundled_size");
        algorithm(child(image, "ec2_encrypted_key"), ManifestWriter.CIPHER_ALGORITHM);
        algorithm(child(image, "user_encrypted_key"), ManifestWriter.CIPHER_ALGORITHM);
        this.ec2Keys = new BundleKeys.Sealed(hex(image, "ec2_encrypted_key"), hex(image, "ec2_encrypted_iv"));
        this.userKeys = new BundleKeys.Sealed(hex(image, "user_encrypted_key"), hex(image, "user_encrypted_iv"));
        this.parts = parts(child(image, "parts"));
    }

    /**
     * Parses {@code xml} and verifies its signature with {@code signer}'s public key.
     *
     * @throws InvalidManifestException not a readable 2007-10-10 manifest
     * @throws SignatureMismatchException the signature does not verify with this certificate
     */
    public static BundleManifest read(byte[] xml, X509Certificate signer)
            throws InvalidManifestException, SignatureMismatchException {
        if (xml.length > MAX_BYTES) {
            throw new InvalidManifestException("the manifest is larger than " + MAX_BYTES + " bytes");
        }
        String text = utf8(xml);
        Element root = parse(text, "the manifest").getDocumentElement();
        if (!root.getTagName().equals("manifest")) {
            throw new InvalidManifestException("the document element is <" + root.getTagName() + ">, not <manifest>");
        }
        String version = text(root, "version");
        if (!ManifestWriter.VERSION.equals(version)) {
            throw new InvalidManifestException("manifest version " + version + " is not supported; only "
                    + ManifestWriter.VERSION + " is");
        }
        Element image = child(root, "image");
        Element machine = optionalChild(root, "machine_configuration");
        byte[] signature = parseHex(text(root, "signature"), "signature");

        String imageXml = fragment(text, "image");
        String machineXml = fragment(text, "machine_configuration");
        if (imageXml == null || (machine != null) != (machineXml != null)) {
            throw new InvalidManifestException("the signed elements are not written as <image> and "
                    + "<machine_configuration> tags");
        }
        String signed = (machineXml == null ? "" : machineXml) + imageXml;
        if (!Rsa.verifyManifest(signer.getPublicKey(), signed.getBytes(StandardCharsets.UTF_8), signature)) {
            throw new SignatureMismatchException("the manifest's signature does not verify with the certificate of "
                    + signer.getSubjectX500Principal().getName());
        }
        Element signedImage = signedElement(imageXml, image);
        Element signedMachine = machineXml == null ? null : signedElement(machineXml, machine);
        return new BundleManifest(signedMachine, signedImage);
    }

    /** The key and IV, decrypted with the EC2 service's private key. */
    public BundleKeys ec2Keys(PrivateKey ec2PrivateKey) throws WrongCertificateException {
        return BundleKeys.unseal(ec2Keys, ec2PrivateKey);
    }

    /** The key and IV, decrypted with the user's private key (as {@code ec2-unbundle} does). */
    public BundleKeys userKeys(PrivateKey userPrivateKey) throws WrongCertificateException {
        return BundleKeys.unseal(userKeys, userPrivateKey);
    }

    /** Null when the manifest has no {@code machine_configuration}. */
    public MachineConfiguration machine() {
        return machine;
    }

    public String name() {
        return name;
    }

    /** The account id in {@code image/user}. */
    public String user() {
        return user;
    }

    public String type() {
        return type;
    }

    /** SHA-1 of the tar stream, lowercase hex. */
    public String imageDigestSha1Hex() {
        return imageDigestSha1Hex;
    }

    public long imageSize() {
        return imageSize;
    }

    public long bundledSize() {
        return bundledSize;
    }

    public List<PartInfo> parts() {
        return parts;
    }

    private static MachineConfiguration machineConfiguration(Element m) throws InvalidManifestException {
        TreeMap<String, String> mapping = new TreeMap<>();
        Element bdm = optionalChild(m, "block_device_mapping");
        if (bdm != null) {
            for (Element e : children(bdm, "mapping")) {
                if (mapping.put(text(e, "virtual"), text(e, "device")) != null) {
                    throw new InvalidManifestException("block device mapping names a virtual device twice");
                }
            }
        }
        try {
            return new MachineConfiguration(text(m, "architecture"), mapping, optionalText(m, "kernel_id"),
                    optionalText(m, "ramdisk_id"));
        } catch (IllegalArgumentException e) {
            throw new InvalidManifestException("machine_configuration: " + e.getMessage(), e);
        }
    }

    private static List<PartInfo> parts(Element partsElement) throws InvalidManifestException {
        List<Element> elements = children(partsElement, "part");
        int count = (int) Math.min(Integer.MAX_VALUE, number(partsElement.getAttribute("count"), "parts/@count"));
        if (count != elements.size() || count == 0 || count > MAX_PARTS) {
            throw new InvalidManifestException("parts/@count is " + count + " but " + elements.size()
                    + " parts are listed (1.." + MAX_PARTS + " allowed)");
        }
        PartInfo[] byIndex = new PartInfo[count];
        for (Element e : elements) {
            long index = number(e.getAttribute("index"), "part/@index");
            if (index >= count || byIndex[(int) index] != null) {
                throw new InvalidManifestException("part index " + index + " is out of range or repeated");
            }
            String file = text(e, "filename");
            if (!PART_FILE.matcher(file).matches()) {
                throw new InvalidManifestException("part file name is not a plain file name: " + file);
            }
            Element digest = child(e, "digest");
            algorithm(digest, ManifestWriter.DIGEST_ALGORITHM);
            byIndex[(int) index] = new PartInfo((int) index, file, sha1Hex(digest, "part " + index + " digest"));
        }
        return List.of(byIndex);
    }

    /** The first {@code <tag>} through the first {@code </tag>} after it, as {@code XMLUtil.get_xml} cuts it. */
    private static String fragment(String text, String tag) {
        int start = text.indexOf("<" + tag + ">");
        if (start < 0) {
            return null;
        }
        String endTag = "</" + tag + ">";
        int end = text.indexOf(endTag, start);
        return end < 0 ? null : text.substring(start, end + endTag.length());
    }

    /** Parses a signed fragment and insists the document holds that very element. */
    private static Element signedElement(String fragmentXml, Element inDocument) throws InvalidManifestException {
        Element signed = parse(fragmentXml, "the signed <" + inDocument.getTagName() + ">").getDocumentElement();
        if (!signed.isEqualNode(inDocument)) {
            throw new InvalidManifestException("the manifest's <" + inDocument.getTagName()
                    + "> element is not the text that was signed");
        }
        return signed;
    }

    private static Document parse(String xml, String what) throws InvalidManifestException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(THROWING);
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw new InvalidManifestException(what + " is not well-formed XML: " + e.getMessage(), e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private static String utf8(byte[] xml) throws InvalidManifestException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(xml)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidManifestException("the manifest is not UTF-8", e);
        }
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element optionalChild(Element parent, String tag) throws InvalidManifestException {
        List<Element> found = children(parent, tag);
        if (found.size() > 1) {
            throw new InvalidManifestException("<" + parent.getTagName() + "> has more than one <" + tag + ">");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private static Element child(Element parent, String tag) throws InvalidManifestException {
        Element e = optionalChild(parent, tag);
        if (e == null) {
            throw new InvalidManifestException("<" + parent.getTagName() + "> has no <" + tag + ">");
        }
        return e;
    }

    private static String text(Element parent, String tag) throws InvalidManifestException {
        String s = child(parent, tag).getTextContent().trim();
        if (s.isEmpty()) {
            throw new InvalidManifestException("<" + parent.getTagName() + "/" + tag + "> is empty");
        }
        return s;
    }

    private static String optionalText(Element parent, String tag) throws InvalidManifestException {
        Element e = optionalChild(parent, tag);
        return e == null || e.getTextContent().isBlank() ? null : e.getTextContent().trim();
    }

    private static long number(Element parent, String tag) throws InvalidManifestException {
        return number(text(parent, tag), tag);
    }

    private static long number(String s, String what) throws InvalidManifestException {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidManifestException(what + " is not a non-negative number: " + s, e);
        }
    }

    private static void algorithm(Element e, String expected) throws InvalidManifestException {
        String actual = e.getAttribute("algorithm");
        if (!expected.equalsIgnoreCase(actual)) {
            throw new InvalidManifestException("<" + e.getTagName() + "> uses algorithm '" + actual + "'; only "
                    + expected + " is supported");
        }
    }

    private static String sha1Hex(Element digest, String what) throws InvalidManifestException {
        String s = digest.getTextContent().trim();
        if (!SHA1_HEX.matcher(s).matches()) {
            throw new InvalidManifestException(what + " is not a hex SHA-1: " + s);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static String hex(Element parent, String tag) throws InvalidManifestException {
        String s = text(parent, tag);
        parseHex(s, tag);
        return s.toLowerCase(Locale.ROOT);
    }

    private static byte[] parseHex(String s, String what) throws InvalidManifestException {
        try {
            return HEX.parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidManifestException(what + " is not hex", e);
        }
    }
}
