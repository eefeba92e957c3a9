/// The release this build reports, in `airgap --version` and the User-Agent header.
public enum AirgapVersion {
    public static let current = "0.1.0"
}
