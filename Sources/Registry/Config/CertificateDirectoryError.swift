import Foundation

/// Why a certificate directory (containers-certs.d(5), or one the caller named) cannot be used. Messages name
/// every path involved.
public enum CertificateDirectoryError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The directory the caller named is not a directory.
    case missingDirectory(String)
    /// A directory or certificate file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// `NAME.cert` without `NAME.key`.
    case missingClientKey(certificate: String, key: String)
    /// `NAME.key` without `NAME.cert`.
    case missingClientCertificate(key: String, certificate: String)
    /// A `*.crt` file holds no PEM certificate (libcurl reads only PEM bundles).
    case notPEM(String)
    /// The combined CA bundle could not be written.
    case bundleNotWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingDirectory(let path):
            "certificate directory \(path) does not exist or is not a directory"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .missingClientKey(let certificate, let key):
            "client certificate \(certificate) has no key \(key); add the key, or rename the file "
                + "to .crt if it is a CA certificate (containers-certs.d(5))"
        case .missingClientCertificate(let key, let certificate):
            "client key \(key) has no certificate \(certificate); add the certificate or remove the key "
                + "(containers-certs.d(5))"
        case .notPEM(let path):
            "\(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER file with "
                + "`openssl x509 -inform der -in FILE -out FILE.crt`"
        case .bundleNotWritten(let path, let reason):
            "cannot write the CA bundle \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
