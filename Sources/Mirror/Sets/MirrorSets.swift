import Foundation
import Registry
import TOMLKit
import Yams

/// A source repository and where it is mirrored.
public struct MirrorSetEntry: Sendable, Hashable, Codable {
    public var source: String
    public var mirrors: [String]
}

/// OpenShift's mirror configuration for what was mirrored, as YAML through Yams:
/// ImageDigestMirrorSet and ImageTagMirrorSet (config.openshift.io/v1, OpenShift 4.13+) and the older
/// ImageContentSourcePolicy (operator.openshift.io/v1alpha1), plus the registries.conf fragment the
/// cluster renders from them (containers-registries.conf(5)).
///
/// Why both sets: an ImageContentSourcePolicy (and a digest set) mirrors only pulls by digest
/// (`mirror-by-digest-only = true`), and the conformance suites pull by tag; an ImageTagMirrorSet
/// sends pulls by tag to the mirror too, so no node needs images loaded by hand.
public enum MirrorSets {
    /// One entry per source repository, mirrors in first-seen order, sorted by source.
    public static func entries(for pairs: [MirrorPair]) -> [MirrorSetEntry] {
        var mirrors: [String: [String]] = [:]
        for pair in pairs {
            let source = pair.source.name, mirror = pair.destination.name
            guard source != mirror else { continue }
            if !(mirrors[source]?.contains(mirror) ?? false) { mirrors[source, default: []].append(mirror) }
        }
        return mirrors.keys.sorted().map { MirrorSetEntry(source: $0, mirrors: mirrors[$0] ?? []) }
    }

    public static func imageDigestMirrorSet(_ entries: [MirrorSetEntry], name: String) throws -> String {
        try YAMLEncoder().encode(Resource(
            apiVersion: "config.openshift.io/v1", kind: "ImageDigestMirrorSet", metadata: .init(name: name),
            spec: ["imageDigestMirrors": entries]))
    }

    public static func imageTagMirrorSet(_ entries: [MirrorSetEntry], name: String) throws -> String {
        try YAMLEncoder().encode(Resource(
            apiVersion: "config.openshift.io/v1", kind: "ImageTagMirrorSet", metadata: .init(name: name),
            spec: ["imageTagMirrors": entries]))
    }

    public static func imageContentSourcePolicy(_ entries: [MirrorSetEntry], name: String) throws -> String {
        try YAMLEncoder().encode(Resource(
            apiVersion: "operator.openshift.io/v1alpha1", kind: "ImageContentSourcePolicy", metadata: .init(name: name),
            spec: ["repositoryDigestMirrors": entries]))
    }

    /// `[[registry]]` per source with its mirrors, `pull-from-mirror = "all"`: what a node needs for
    /// tag and digest pulls alike.
    public static func registriesConf(_ entries: [MirrorSetEntry]) throws -> String {
        struct File: Encodable { var registry: [Registry] }
        struct Registry: Encodable {
            var prefix: String
            var location: String
            var mirror: [Mirror]
        }
        struct Mirror: Encodable {
            var location: String
            var pullFromMirror = "all"
            enum CodingKeys: String, CodingKey {
                case location
                case pullFromMirror = "pull-from-mirror"
            }
        }
        let file = File(registry: entries.map { entry in
            Registry(prefix: entry.source, location: entry.source, mirror: entry.mirrors.map { Mirror(location: $0) })
        })
        return try TOMLEncoder().encode(file)
    }

    /// Writes the files into `directory` (created if needed), each atomically; returns their paths.
    public static func write(_ entries: [MirrorSetEntry], to directory: String, name: String = "airgap", includeICSP: Bool) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files: [(String, String)] = [
            ("imagedigestmirrorset.yaml", try imageDigestMirrorSet(entries, name: name)),
            ("imagetagmirrorset.yaml", try imageTagMirrorSet(entries, name: name)),
            ("registries.conf", try registriesConf(entries)),
        ]
        if includeICSP { files.append(("imagecontentsourcepolicy.yaml", try imageContentSourcePolicy(entries, name: name))) }
        return try files.map { file, text in
            let path = (directory as NSString).appendingPathComponent(file)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return path
        }
    }

    private struct Resource: Encodable {
        struct Metadata: Encodable { var name: String }
        var apiVersion: String
        var kind: String
        var metadata: Metadata
        var spec: [String: [MirrorSetEntry]]
    }
}
