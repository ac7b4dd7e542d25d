package org.fedoraproject.fedimg.uploader.download;

import java.io.IOException;

/** The image could not be fetched although it may exist: network trouble outlasting every resume. Transient. */
public class DownloadFailedException extends IOException {
    public DownloadFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
