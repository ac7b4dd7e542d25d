package org.fedoraproject.fedimg.e2e;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A fresh RSA key and self-signed certificate for the bridge's fedmsg signing, made with the JDK's keytool
 * (the e2e module has no certificate library), written as the PEM files the bridge reads.
 */
record SigningKey(Path certfile, Path keyfile, String keyBase64) {

    static SigningKey generate(Path dir) throws Exception {
        Path store = dir.resolve("fedmsg-signing.p12");
        char[] password = "e2e-keystore".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fedimg", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=fedimg-e2e", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(password), "-keypass", new String(password))
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        PrivateKey key = (PrivateKey) ks.getKey("fedimg", password);
        Certificate cert = ks.getCertificate("fedimg");
        String keyBase64 = Base64.getEncoder().encodeToString(key.getEncoded());
        Path keyfile = Files.writeString(dir.resolve("fedmsg-signing.key"), pem("PRIVATE KEY", key.getEncoded()));
        Path certfile = Files.writeString(dir.resolve("fedmsg-signing.crt"), pem("CERTIFICATE", cert.getEncoded()));
        return new SigningKey(certfile, keyfile, keyBase64);
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
