import SwiftASN1

/// Object identifiers of the key types OAP meets.
enum KeyOID {
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    static let x25519: ASN1ObjectIdentifier = [1, 3, 101, 110]
    static let x448: ASN1ObjectIdentifier = [1, 3, 101, 111]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    static let dhKeyAgreement: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 3, 1]
    static let dhPublicNumber: ASN1ObjectIdentifier = [1, 2, 840, 10046, 2, 1]
    static let mlkem512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 4, 1]
    static let mlkem768: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 4, 2]
    static let mlkem1024: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 4, 3]
    static let mldsa65: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 3, 18]
    static let mldsa87: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 3, 19]
}

/// A DER SubjectPublicKeyInfo: algorithm, optional parameter OID (the curve of
/// an EC key) and the key bits.
struct SubjectKeyInfo: Equatable {
    var algorithm: ASN1ObjectIdentifier
    var parameter: ASN1ObjectIdentifier?
    var key: [UInt8]

    init(algorithm: ASN1ObjectIdentifier, parameter: ASN1ObjectIdentifier? = nil, key: [UInt8]) {
        self.algorithm = algorithm
        self.parameter = parameter
        self.key = key
    }

    init(der: [UInt8]) throws {
        let root = try DER.parse(der)
        (algorithm, parameter, key) = try DER.sequence(root, identifier: .sequence) { nodes in
            guard let algorithmNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no algorithm") }
            let (oid, param) = try DER.sequence(algorithmNode, identifier: .sequence) { inner in
                let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
                let param = inner.next().flatMap { try? ASN1ObjectIdentifier(derEncoded: $0) }
                return (oid, param)
            }
            let bits = try ASN1BitString(derEncoded: &nodes)
            return (oid, param, Array(bits.bytes))
        }
    }

    var der: [UInt8] {
        var s = DER.Serializer()
        try! s.appendConstructedNode(identifier: .sequence) { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(algorithm)
                if let p = parameter { try s.serialize(p) }
            }
            try s.serialize(ASN1BitString(bytes: key[...]))
        }
        return s.serializedBytes
    }
}

/// A PKCS#8 PrivateKeyInfo, reduced to what OAP needs: the algorithm and the
/// private key octets.
struct PrivateKeyInfo {
    var algorithm: ASN1ObjectIdentifier
    var privateKey: [UInt8]

    init(der: [UInt8]) throws {
        let root = try DER.parse(der)
        (algorithm, privateKey) = try DER.sequence(root, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)
            guard let algorithmNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no algorithm") }
            let oid = try DER.sequence(algorithmNode, identifier: .sequence) { inner in
                let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
                while inner.next() != nil {}
                return oid
            }
            let key = try ASN1OctetString(derEncoded: &nodes)
            while nodes.next() != nil {}
            return (oid, Array(key.bytes))
        }
    }

    /// The 32-byte key of an Ed25519/X25519 private key (an inner OCTET STRING).
    var curvePrivateKey: [UInt8]? {
        (try? ASN1OctetString(derEncoded: DER.parse(privateKey))).map { Array($0.bytes) }
    }

    /// The seed of an ML-KEM or ML-DSA private key: the `[0]` seed form or the
    /// seed of the `both` form. The expanded-only form carries no seed, and
    /// swift-crypto can only build these keys from their seeds: nil.
    var latticeSeed: [UInt8]? {
        guard let node = try? DER.parse(privateKey) else { return nil }
        if node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
           case .primitive(let bytes) = node.content {
            return Array(bytes)
        }
        if node.identifier == .sequence, case .constructed(let children) = node.content,
           let first = children.first(where: { _ in true }),
           let seed = try? ASN1OctetString(derEncoded: first) {
            return Array(seed.bytes)
        }
        return nil
    }
}

/// PEM decoding.
enum PEM {
    /// The DER bytes and label of the first PEM block in `text`.
    static func decode(_ text: String) throws -> (label: String, der: [UInt8]) {
        let doc = try PEMDocument(pemString: text)
        return (doc.discriminator, doc.derBytes)
    }
}
