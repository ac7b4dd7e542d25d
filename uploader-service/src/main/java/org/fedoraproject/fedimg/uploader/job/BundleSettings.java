package org.fedoraproject.fedimg.uploader.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.bundle.Pem;
import org.fedoraproject.fedimg.bundle.UserCredentials;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;

/**
 * {@code fedimg.uploader.instance-store.*} read and checked once: the account, the EC2 service's certificate and
 * the account's signing certificate and key. What is missing or unreadable is a CONFIGURATION_ERROR of each
 * image that asks for an instance-store AMI, naming the key, never a file's content.
 */
record BundleSettings(String accountId, X509Certificate ec2Certificate, UserCredentials user) {

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final String PREFIX = "fedimg.uploader.instance-store.";

    static BundleSettings load(UploaderConfig.InstanceStore c) {
        String account = c.accountId().orElseThrow(() -> missing("account-id"));
        if (!ACCOUNT.matcher(account).matches()) {
            throw configError(PREFIX + "account-id must be 12 digits");
        }
        X509Certificate ec2 = read(c.ec2CertificateFile(), "ec2-certificate-file");
        try {
            UserCredentials user = new UserCredentials(read(c.certificateFile(), "certificate-file"),
                    Pem.privateKey(text(c.privateKeyFile(), "private-key-file")));
            return new BundleSettings(account, ec2, user);
        } catch (IllegalArgumentException e) {
            // the message names the certificate's subject at most (UserCredentials, Pem), never key material
            throw configError(PREFIX + "certificate-file / private-key-file: " + e.getMessage());
        }
    }

    private static X509Certificate read(Optional<String> file, String key) {
        try {
            return Pem.certificate(text(file, key));
        } catch (IllegalArgumentException e) {
            throw configError(PREFIX + key + " is not a PEM certificate: " + e.getMessage());
        }
    }

    private static String text(Optional<String> file, String key) {
        String path = file.orElseThrow(() -> missing(key));
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw configError(PREFIX + key + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private static BadInputException missing(String key) {
        return configError("instance-store AMIs need " + PREFIX + key);
    }

    private static BadInputException configError(String message) {
        return new BadInputException(DeadLetterReason.CONFIGURATION_ERROR, message);
    }
}
