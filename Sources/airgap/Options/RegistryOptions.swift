import ArgumentParser
import Mirror
import Registry

/// How to reach registries: the flags skopeo users know. Shared by every command that talks to one.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("tls-verify"), help: ArgumentHelp(
        "Require https with a verified certificate (set false for a registry on plain http or with a self-signed certificate).",
        valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(name: .customLong("mirror"), help: ArgumentHelp(
        "Fetch images named under SOURCE from LOCATION instead, keeping their real names in the output (repeatable). Example: docker.io=registry.lab:5000",
        valueName: "SOURCE=LOCATION"))
    var mirrors: [String] = []

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Trust the CA certificates in this PEM file for https registries.", valueName: "file"))
    var caFile: String?

    func validate() throws {
        for mirror in mirrors {
            do { _ = try MirrorRule(parsing: mirror) } catch { throw ValidationError(error.description) }
        }
    }

    func access(logger: LoggerFactory) throws -> RegistryAccess {
        RegistryAccess(
            verifiesTLS: tlsVerify,
            tls: TLSConfiguration(caFile: caFile),
            mirrors: MirrorTable(try mirrors.map { try MirrorRule(parsing: $0) }),
            logger: logger.make("airgap.registry")
        )
    }
}
