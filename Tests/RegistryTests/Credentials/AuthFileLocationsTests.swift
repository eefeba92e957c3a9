import Testing

@testable import Registry

@Suite struct AuthFileLocationsTests {
    /// (environment, Linux?, files read in order, file login writes)
    @Test(arguments: [
        (["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000"], true,
         ["/run/user/1000/containers/auth.json", "/home/u/.config/containers/auth.json", "/home/u/.docker/config.json"],
         "/run/user/1000/containers/auth.json"),
        // As root in a CI container, where `podman login` writes without XDG_RUNTIME_DIR.
        (["HOME": "/root"], true,
         ["/run/containers/1000/auth.json", "/root/.config/containers/auth.json", "/root/.docker/config.json"],
         "/run/containers/1000/auth.json"),
        (["HOME": "/Users/u"], false,
         ["/Users/u/.config/containers/auth.json", "/Users/u/.docker/config.json"],
         "/Users/u/.config/containers/auth.json"),
        (["HOME": "/home/u", "XDG_RUNTIME_DIR": "", "XDG_CONFIG_HOME": "/cfg", "DOCKER_CONFIG": "/dk/"], true,
         ["/run/containers/1000/auth.json", "/cfg/containers/auth.json", "/dk/config.json"],
         "/run/containers/1000/auth.json"),
        (["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000", "REGISTRY_AUTH_FILE": "/etc/ci/auth.json"], true,
         ["/etc/ci/auth.json"], "/etc/ci/auth.json"),
    ] as [([String: String], Bool, [String], String)])
    func theSearchOrderIsContainersImages(environment: [String: String], linux: Bool, searched: [String], written: String) {
        var locations = AuthFileLocations.current(environment: environment)
        locations.uid = 1000
        locations.isLinux = linux
        #expect(locations.searchPaths == searched)
        #expect(locations.writePath == written)
    }

    @Test func authfileBeatsTheEnvironment() {
        let locations = AuthFileLocations.current(authFile: "/tmp/a.json", environment: ["HOME": "/h", "REGISTRY_AUTH_FILE": "/tmp/b.json"])
        #expect(locations.searchPaths == ["/tmp/a.json"])
        #expect(locations.writePath == "/tmp/a.json")
        #expect(AuthFileLocations.current(authFile: "", environment: ["HOME": "/h"]).explicitFile == nil)
    }
}
