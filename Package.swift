// swift-tools-version:6.0
import PackageDescription

let devKit: Target.Dependency = "DevKit"
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let cryptoExtras: Target.Dependency = .product(name: "CryptoExtras", package: "swift-crypto")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")

let package = Package(
    name: "Ouroboros",
    products: [
        .executable(name: "irmd", targets: ["IRMd"]),
        .executable(name: "irm", targets: ["IRMTool"]),
        .executable(name: "ipcpd-local", targets: ["IPCPLocal"]),
        .executable(name: "ipcpd-unicast", targets: ["IPCPUnicastDaemon"]),
        .executable(name: "ipcpd-broadcast", targets: ["IPCPBroadcastDaemon"]),
        .library(name: "DevKit", targets: ["DevKit"]),

        // Tools (issue 4, item 5).
        .executable(name: "oping", targets: ["OPing"]),
        .executable(name: "operf", targets: ["OPerf"]),
        .executable(name: "ocbr", targets: ["OCBR"]),
        .executable(name: "oecho", targets: ["OEcho"]),
        .executable(name: "obc", targets: ["OBC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
    ],
    targets: [
        // The only C: system calls and macros Swift cannot call (variadic syscall, prctl, ucred).
        .target(name: "COuro", cSettings: [.define("_GNU_SOURCE")]),
        // The library every application and IPCP links.
        .target(name: "DevKit", dependencies: [
            "COuro",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Logging", package: "swift-log"),
            // Per-packet encryption (AES-GCM, ChaCha20-Poly1305; AES-CTR from CryptoExtras).
            crypto, cryptoExtras,
        ]),
        // The common IPCP daemon skeleton.
        .target(name: "IPCPKit", dependencies: [devKit]),
        // OAP: X.509 credentials, signatures and key exchange.
        .executableTarget(name: "IRMd", dependencies: [devKit, crypto, x509, asn1]),
        // The irm keyword grammar and commands, a library so that tests can drive it.
        .target(name: "IRMCLI", dependencies: [devKit]),
        .executableTarget(name: "IRMTool", dependencies: ["IRMCLI"]),
        .executableTarget(name: "IPCPLocal", dependencies: ["IPCPKit"]),
        // What the unicast and broadcast IPCPs share: connection manager (OCEP) and enrollment (OEP).
        .target(name: "IPCPCommon", dependencies: [devKit, .product(name: "Logging", package: "swift-log")]),
        // The unicast IPCP's components, a library so that tests can drive them.
        .target(name: "IPCPUnicast", dependencies: ["IPCPKit", "IPCPCommon", devKit, .product(name: "Logging", package: "swift-log")],
                exclude: ["README.md", "routing/README.md", "pff/README.md", "dir/README.md"]),
        .executableTarget(name: "IPCPUnicastDaemon", dependencies: ["IPCPUnicast", "IPCPKit"]),
        // The broadcast IPCP (issue 11), a library so that tests can drive it.
        .target(name: "IPCPBroadcast", dependencies: ["IPCPKit", "IPCPCommon", devKit, .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "IPCPBroadcastDaemon", dependencies: ["IPCPBroadcast", "IPCPKit"]),
        // Drives the flow API from separate processes in the integration tests.
        .executableTarget(name: "FlowProbe", dependencies: [devKit]),

        .testTarget(name: "DevKitTests", dependencies: [devKit, crypto], exclude: ["Fixtures"]),
        .testTarget(name: "IRMCLITests", dependencies: ["IRMCLI"], exclude: ["Fixtures"]),
        .testTarget(name: "IRMdTests", dependencies: ["IRMd", "CryptoTestSupport", crypto, x509], exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: [devKit, "CryptoTestSupport"]),
        // Test certificates (openssl CLI) and static KEM key files for the OAP tests.
        .target(name: "CryptoTestSupport", dependencies: [crypto, asn1], path: "Tests/CryptoTestSupport"),
        .testTarget(name: "IPCPKitTests", dependencies: ["IPCPKit"]),

        // Tools (issue 4, item 5): the four programs and their testable logic.
        .target(name: "ToolSupport", dependencies: [devKit], path: "Sources/Tools/ToolSupport"),
        .executableTarget(name: "OPing", dependencies: [devKit, "ToolSupport"], path: "Sources/Tools/OPing"),
        .executableTarget(name: "OPerf", dependencies: [devKit, "ToolSupport"], path: "Sources/Tools/OPerf"),
        .executableTarget(name: "OCBR", dependencies: [devKit, "ToolSupport"], path: "Sources/Tools/OCBR"),
        .executableTarget(name: "OEcho", dependencies: [devKit, "ToolSupport"], path: "Sources/Tools/OEcho"),
        .executableTarget(name: "OBC", dependencies: [devKit, "ToolSupport"], path: "Sources/Tools/OBC"),
        .testTarget(name: "ToolsTests", dependencies: ["ToolSupport", devKit]),
    ]
)

// MARK: - Shared-memory data path (issue 3): multi-process test helper and benchmark.
package.targets += [
    .executableTarget(name: "ShmPeer", dependencies: [devKit]),
    .executableTarget(name: "ShmBench", dependencies: [devKit, "COuro"], path: "benchmarks/ShmBench"),
    .executableTarget(name: "FlowBench", dependencies: [devKit], path: "benchmarks/FlowBench"),
    // OAP and per-packet encryption costs (issue 10).
    .executableTarget(name: "CryptoBench", dependencies: [devKit, "CryptoTestSupport"], path: "benchmarks/CryptoBench"),
]

// MARK: - Ethernet shims (issue 6): eth-dix and eth-llc over AF_PACKET.
package.products += [
    .executable(name: "ipcpd-eth-dix", targets: ["IPCPEthDIX"]),
    .executable(name: "ipcpd-eth-llc", targets: ["IPCPEthLLC"]),
]
package.targets += [
    .target(name: "IPCPEth", dependencies: ["IPCPKit", "COuro"]),
    .executableTarget(name: "IPCPEthDIX", dependencies: ["IPCPEth"]),
    .executableTarget(name: "IPCPEthLLC", dependencies: ["IPCPEth"]),
    .testTarget(name: "IPCPEthTests", dependencies: ["IPCPEth"], exclude: ["Fixtures"]),
    // Raw AF_PACKET ping-pong and blast, the baseline of benchmarks/eth-bench.
    .executableTarget(name: "EthBaseline", dependencies: ["IPCPEth", devKit], path: "benchmarks/EthBaseline"),
]

// MARK: - UDP layers (issue 5): ipcpd-udp4 and ipcpd-udp6 over one shared library target.
package.products += [
    .executable(name: "ipcpd-udp4", targets: ["IPCPUDP4"]),
    .executable(name: "ipcpd-udp6", targets: ["IPCPUDP6"]),
]
package.targets += [
    .target(name: "IPCPUDP", dependencies: ["IPCPKit", "COuro"]),
    .executableTarget(name: "IPCPUDP4", dependencies: ["IPCPUDP", "IPCPKit"]),
    .executableTarget(name: "IPCPUDP6", dependencies: ["IPCPUDP", "IPCPKit"]),
    .testTarget(name: "IPCPUDPTests", dependencies: ["IPCPUDP", devKit], exclude: ["Fixtures"]),
    // Plain-kernel UDP echo and blast, the baseline of benchmarks/udp-bench.
    .executableTarget(name: "UDPBaseline", path: "benchmarks/UDPBaseline"),
]

// MARK: - Unicast IPCP (issue 8): routing, PFF and DHT tests in process.
package.targets += [
    .testTarget(name: "IPCPUnicastTests", dependencies: ["IPCPUnicast", "IPCPCommon", "IPCPKit", devKit], exclude: ["Fixtures"]),
]

// MARK: - Broadcast IPCP (issue 11): OCEP offers, layer-name check, forwarding.
package.targets += [
    .testTarget(name: "IPCPBroadcastTests", dependencies: ["IPCPBroadcast", "IPCPCommon", "IPCPKit", devKit]),
]
