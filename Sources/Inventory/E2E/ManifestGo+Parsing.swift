extension ManifestGo {
    /// Reads the parts of a manifest.go that name images.
    /// - Throws: `E2EManifestError` naming `source` and the line.
    static func parse(_ text: String, source: String) throws(E2EManifestError) -> ManifestGo {
        let tokens: [GoToken]
        do {
            tokens = try GoTokenizer.tokens(text)
        } catch {
            throw .syntax(source: source, line: error.line, reason: error.reason)
        }
        var reader = ManifestReader(tokens: tokens, source: source)
        return try reader.read()
    }
}

/// One pass over the tokens, recognizing the few declaration shapes that matter and skipping the
/// rest of the file.
private struct ManifestReader {
    let tokens: [GoToken]
    let source: String
    var manifest = ManifestGo()
    /// Variables declared inside braces (function bodies), used when no package variable has the name.
    var localVariables: [String: ManifestGo.Expression] = [:]

    init(tokens: [GoToken], source: String) {
        self.tokens = tokens
        self.source = source
    }

    mutating func read() throws(E2EManifestError) -> ManifestGo {
        var depth = 0
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token.is("{") { depth += 1 } else if token.is("}") { depth -= 1 }
            if token.isIdentifier("appendCSIImageConfigs") { manifest.appendsCSIImages = true }
            if token.isIdentifier("type"), self[index + 1]?.isIdentifier("RegistryList") == true,
                self[index + 2]?.isIdentifier("struct") == true, self[index + 3]?.is("{") == true
            {
                index = readFields(from: index + 4)
                continue
            }
            if token.isIdentifier("RegistryList"), self[index + 1]?.is("{") == true, manifest.defaults.isEmpty,
                self[index + 2]?.kind == .identifier, self[index + 3]?.is(":") == true
            {
                index = try readDefaults(from: index + 2)
                continue
            }
            if token.kind == .identifier, self[index + 1]?.is("[") == true, self[index + 2]?.kind == .identifier,
                self[index + 3]?.is("]") == true, self[index + 4]?.is("=") == true,
                self[index + 5]?.isIdentifier("Config") == true, self[index + 6]?.is("{") == true
            {
                index = try readConfig(id: tokens[index + 2], from: index + 7)
                continue
            }
            if token.kind == .identifier, let assignment = self[index + 1], assignment.is("=") || assignment.is(":="),
                index == 0 || !(tokens[index - 1].is(".")),
                let (value, end) = simpleExpression(at: index + 2)
            {
                if depth == 0 {
                    if manifest.variables[token.text] == nil { manifest.variables[token.text] = value }
                } else if localVariables[token.text] == nil {
                    localVariables[token.text] = value
                }
                index = end
                continue
            }
            index += 1
        }
        for (name, value) in localVariables where manifest.variables[name] == nil {
            manifest.variables[name] = value
        }
        guard !manifest.configs.isEmpty else { throw .noConfigs(source: source) }
        return manifest
    }

    subscript(index: Int) -> GoToken? { index < tokens.count ? tokens[index] : nil }

    /// `Name string \`yaml:"key"\`` lines up to the struct's `}`. yaml.v2 lowercases a field
    /// without a tag, so that is the key then.
    private mutating func readFields(from start: Int) -> Int {
        var index = start
        while let token = self[index], !token.is("}") {
            if token.kind == .identifier, self[index + 1]?.kind == .identifier {
                var key = token.text.lowercased()
                if let tag = self[index + 2], tag.kind == .string, let yaml = Self.yamlKey(in: tag.text) {
                    key = yaml
                    index += 1
                }
                manifest.fields.append((token.text, key))
                index += 2
            } else {
                index += 1
            }
        }
        return index + 1
    }

    /// The name in a struct tag's `yaml:"name,omitempty"`.
    static func yamlKey(in tag: String) -> String? {
        guard let range = tag.range(of: "yaml:\"") else { return nil }
        let rest = tag[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let key = rest[..<end].split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return key.isEmpty || key == "-" ? nil : key
    }

    /// `Field: "value",` pairs up to the literal's `}`.
    private mutating func readDefaults(from start: Int) throws(E2EManifestError) -> Int {
        var index = start
        while let token = self[index], !token.is("}") {
            guard token.kind == .identifier, self[index + 1]?.is(":") == true, let value = self[index + 2] else {
                index += 1
                continue
            }
            guard value.kind == .string else {
                throw .unsupported(source: source, line: value.line, reason: "the default of \(token.text) is not a string literal")
            }
            manifest.defaults[token.text] = (value.text, value.line)
            index += 3
        }
        return index + 1
    }

    /// The arguments of `Config{…}`: three positional expressions, or `registry:`, `name:` and
    /// `version:` keyed ones.
    private mutating func readConfig(id: GoToken, from start: Int) throws(E2EManifestError) -> Int {
        var index = start
        var positional: [ManifestGo.Expression] = []
        var keyed: [String: ManifestGo.Expression] = [:]
        let problem = E2EManifestError.unsupported(
            source: source, line: id.line,
            reason: "configs[\(id.text)] is not Config{registry, \"name\", \"version\"} with names, strings or fields")
        while let token = self[index], !token.is("}") {
            if token.is(",") {
                index += 1
                continue
            }
            var key: String?
            if token.kind == .identifier, self[index + 1]?.is(":") == true {
                key = token.text
                index += 2
            }
            guard let (value, end) = simpleExpression(at: index), let next = self[end], next.is(",") || next.is("}") else {
                throw problem
            }
            if let key { keyed[key] = value } else { positional.append(value) }
            index = end
        }
        let parts = positional.count == 3 ? positional : [keyed["registry"], keyed["name"], keyed["version"]].compactMap { $0 }
        guard parts.count == 3, positional.isEmpty || keyed.isEmpty else { throw problem }
        manifest.configs.append(
            ManifestGo.Config(id: id.text, registry: parts[0], name: parts[1], version: parts[2], line: id.line))
        return index + 1
    }

    /// A string, a name or `name.Field` at `index`, when the expression ends there (no call,
    /// index, operator or longer selector follows); with the index after it.
    private func simpleExpression(at index: Int) -> (ManifestGo.Expression, Int)? {
        guard let token = self[index] else { return nil }
        let value: ManifestGo.Expression
        var end = index + 1
        switch token.kind {
        case .string:
            value = .string(token.text)
        case .identifier:
            if self[index + 1]?.is(".") == true, let field = self[index + 2], field.kind == .identifier {
                value = .selector(base: token.text, field: field.text)
                end = index + 3
            } else {
                value = .identifier(token.text)
            }
        default:
            return nil
        }
        if let next = self[end], next.kind == .punctuation, ["(", "[", ".", "+", "{"].contains(next.text) { return nil }
        return (value, end)
    }
}
