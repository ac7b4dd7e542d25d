package org.fedoraproject.fedimg.bundle;

/** One part as the manifest lists it: its position, file (object) name and lowercase hex SHA-1. */
public record PartInfo(int index, String fileName, String sha1Hex) {
}
