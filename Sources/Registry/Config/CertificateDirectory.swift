import Foundation

/// What one containers-certs.d(5) directory holds: `*.crt` CA certificates and a client
/// certificate pair `NAME.cert` + `NAME.key`.
///
/// Files are read in name order, as containers/image's `tlsclientconfig.SetupCertificates` reads
/// them; other files and sub-directories are ignored. A `.cert` without its `.key` (or the
/// reverse) is an error, as there. containers/image presents every pair to Go's TLS stack;
/// libcurl takes one, so the first pair by name is used.
public struct CertificateDirectory: Sendable, Hashable {
    /// The directory.
    public let path: String
    /// `*.crt` files, full paths in name order: CA certificates added to the system's.
    public let certificateAuthorities: [String]
    /// The client certificate (`NAME.cert`), when there is a pair.
    public let clientCertificate: String?
    /// The client key (`NAME.key`) matching `clientCertificate`.
    public let clientKey: String?

    /// Lists and checks `path`, which must be a directory.
    public init(reading path: String) throws(CertificateDirectoryError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let files = names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        let present = Set(files)

        var pairs: [(certificate: String, key: String)] = []
        for name in files {
            if name.hasSuffix(".cert") {
                let key = String(name.dropLast(".cert".count)) + ".key"
                guard present.contains(key) else {
                    throw .missingClientKey(certificate: "\(path)/\(name)", key: "\(path)/\(key)")
                }
                pairs.append(("\(path)/\(name)", "\(path)/\(key)"))
            } else if name.hasSuffix(".key") {
                let certificate = String(name.dropLast(".key".count)) + ".cert"
                guard present.contains(certificate) else {
                    throw .missingClientCertificate(key: "\(path)/\(name)", certificate: "\(path)/\(certificate)")
                }
            }
        }

        self.path = path
        self.certificateAuthorities = files.filter { $0.hasSuffix(".crt") }.map { "\(path)/\($0)" }
        self.clientCertificate = pairs.first?.certificate
        self.clientKey = pairs.first?.key
    }

    /// Nothing here changes TLS: no CA certificate and no client pair.
    public var isEmpty: Bool { certificateAuthorities.isEmpty && clientCertificate == nil }
}
