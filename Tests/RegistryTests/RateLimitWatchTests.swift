import Logging
import Testing

@testable import Registry

@Suite struct RateLimitWatchTests {
    @Test(arguments: [("76;w=21600", 76), ("3", 3), (" 0;w=60", 0), ("many", nil)] as [(String, Int?)])
    func readsDockerHubsHeader(value: String, remaining: Int?) {
        #expect(RateLimitWatch.parse(value) == remaining)
    }

    @Test func warnsOnceWhenFewPullsRemain() {
        let watch = RateLimitWatch(registry: "docker.io", logger: Logger(label: "test"))
        #expect(!watch.observe(["ratelimit-remaining": "80;w=21600"]))
        #expect(watch.observe(["ratelimit-remaining": "9;w=21600", "ratelimit-limit": "100;w=21600"]))
        #expect(!watch.observe(["ratelimit-remaining": "8;w=21600"]))
    }
}
