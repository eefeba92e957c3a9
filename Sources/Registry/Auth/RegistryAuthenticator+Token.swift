import Foundation

extension RegistryAuthenticator {
    /// Asks the realm for a token (distribution docs/spec/auth/token.md): `GET realm?service&scope…`
    /// with Basic credentials when we have them, anonymously otherwise; an identity token goes through
    /// the OAuth2 form POST (oauth.md) with `grant_type=refresh_token` instead.
    func fetchToken(realm: String, service: String?, scopes: [String], credentials: ResolvedCredentials?) async throws -> BearerToken {
        // Plain http only when the registry itself was reached over plain http: a registry behind
        // https must not be able to send the password somewhere unencrypted.
        guard var components = URLComponents(string: realm), let scheme = components.scheme?.lowercased(),
              scheme == "https" || (scheme == "http" && registryUsesPlainHTTP), let realmHost = components.url?.hostPort
        else {
            throw RegistryError.malformedResponse(
                subject: "registry \(registry)",
                reason: "its token realm \(realm) is not an https URL")
        }
        var request: HTTPRequest
        guard let realmURL = components.url else {
            throw RegistryError.malformedResponse(subject: "registry \(registry)", reason: "its token realm \(realm) is not a URL")
        }
        if let identityToken = credentials?.credentials.identityToken {
            var form = URLComponents()
            form.queryItems = [
                URLQueryItem(name: "grant_type", value: "refresh_token"),
                URLQueryItem(name: "refresh_token", value: identityToken),
                URLQueryItem(name: "client_id", value: "airgap"),
            ] + (service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + (scopes.isEmpty ? [] : [URLQueryItem(name: "scope", value: scopes.joined(separator: " "))])
            let body = Data((form.percentEncodedQuery ?? "").utf8)
            request = HTTPRequest(method: .post, url: realmURL, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: .bytes(body))
        } else {
            components.queryItems = (components.queryItems ?? [])
                + (service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + scopes.map { URLQueryItem(name: "scope", value: $0) }
            guard let url = components.url else {
                throw RegistryError.malformedResponse(subject: "registry \(registry)", reason: "its token realm \(realm) is not a URL")
            }
            request = HTTPRequest(method: .get, url: url)
            if let credentials { request.headers.set("Authorization", Self.basic(credentials.credentials)) }
        }
        request.tls = try hostTLS(realmHost)
        request.allowsPlainHTTP = registryUsesPlainHTTP
        request.stallTimeout = stallTimeout

        let (response, body) = try await http.data(request, limit: 1 << 20)
        guard response.isSuccess else {
            let errors = RegistryErrorDetail.decodeList(from: response.errorBody)
            if response.status == 401 || response.status == 403 {
                throw RegistryError.unauthorized(registry: registry, credentialSource: credentials?.source, errors: errors)
            }
            throw RegistryError.unexpectedStatus(
                status: response.status, method: request.method, url: request.url.redactedForLog,
                subject: "token for \(registry)", errors: errors)
        }
        let decoded = try? JSONDecoder().decode(BearerToken.Response.self, from: body)
        guard let token = decoded?.bearerToken(receivedAt: Date()) else {
            throw RegistryError.malformedResponse(
                subject: "token for \(registry)", reason: "the token endpoint's answer holds no token, or one that is not a bearer token (RFC 6750 b64token)")
        }
        return token
    }
}
