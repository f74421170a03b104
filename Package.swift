// swift-tools-version: 6.1
// Lifelong: model-based and memory-based continual reinforcement learning research.
// Modules are listed lowest floor first; no module depends on one listed after it (docs/architecture.md).
import PackageDescription

/// Settings shared by every Swift target, so the whole package builds one way.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Lifelong",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lifelong", targets: ["LifelongCLI"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "Neural", targets: ["Neural"]),
        .library(name: "Environments", targets: ["Environments"]),
        .library(name: "Replay", targets: ["Replay"]),
        .library(name: "Agents", targets: ["Agents"]),
        .library(name: "Continual", targets: ["Continual"]),
        .library(name: "EpisodicMemory", targets: ["EpisodicMemory"]),
        .library(name: "WorldModel", targets: ["WorldModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // System libraries: module map plus a shim header each (make deps installs the Debian packages).
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: swiftSettings),
        // Optimised in debug builds too: model rollouts draw millions of normals per planning step.
        .target(
            name: "Randomness",
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Vectorised elementwise kernels (exp, sigmoid, SiLU, Adam) that Swift does not vectorise on x86-64.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(
            name: "Neural", dependencies: ["CBLAS", "CKernels", "HDF5", "Randomness"], swiftSettings: swiftSettings),
        .target(name: "Environments", dependencies: ["Randomness"], swiftSettings: swiftSettings),
        // The episodic memory: a key → value store with exact k-nearest-neighbour reads (SIMD panel kernel).
        .target(
            name: "EpisodicMemory", dependencies: ["CBLAS", "CKernels", "HDF5", "Randomness"],
            swiftSettings: swiftSettings),
        // The learned world model: a probabilistic ensemble, planners and model-error tracking.
        // Optimised in debug builds too: planning runs its inner loops millions of times a step, and the tests
        // plan whole episodes.
        .target(
            name: "WorldModel", dependencies: ["CBLAS", "CKernels", "Neural", "Replay", "HDF5", "Randomness"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "Agents", dependencies: ["Neural", "Environments", "Replay", "EpisodicMemory", "WorldModel", "HDF5"],
            swiftSettings: swiftSettings),
        .target(name: "RunLog", dependencies: ["HDF5"], swiftSettings: swiftSettings),
        .target(
            name: "Continual",
            dependencies: [
                "Agents", "EpisodicMemory", "Environments", "Randomness", "Replay", "RunLog", "HDF5", "WorldModel",
            ],
            swiftSettings: swiftSettings),
        // Reports, notebooks, CSV export and sweep merging over finished (or running) run logs.
        .target(
            name: "Analysis", dependencies: ["Continual", "RunLog", "HDF5", "Randomness"], swiftSettings: swiftSettings),
        // Sweeps: many runs from one sweep file, on a local pool, Slurm job arrays or Ray.
        .target(name: "Sweeps", dependencies: ["Analysis", "Continual", "HDF5"], swiftSettings: swiftSettings),
        .target(
            name: "Replay",
            dependencies: ["HDF5", "Randomness", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "LifelongCLI",
            dependencies: [
                "HDF5",
                "Environments",
                "Agents",
                "Replay",
                "RunLog",
                "Continual",
                "Analysis",
                "Sweeps",
                "Neural",
                "WorldModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (make bench-*): each runs its Python peer in the same run and prints the ratio.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/BenchmarkSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "NeuralBenchmark",
            dependencies: ["Neural", "CBLAS", "BenchmarkSupport"],
            path: "Benchmarks/NeuralBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "EnvironmentBenchmark",
            dependencies: ["Environments", "Randomness", "BenchmarkSupport"],
            path: "Benchmarks/EnvironmentBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "ReplayBenchmark",
            dependencies: ["Replay", "Randomness", "BenchmarkSupport"],
            path: "Benchmarks/ReplayBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "WorldModelBenchmark",
            dependencies: ["Agents", "WorldModel", "Environments", "Neural", "Replay", "CBLAS", "BenchmarkSupport"],
            path: "Benchmarks/WorldModelBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "AgentBenchmark",
            dependencies: ["Agents", "Environments", "Neural", "Replay", "CBLAS", "BenchmarkSupport"],
            path: "Benchmarks/AgentBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "ContinualBenchmark",
            dependencies: ["Continual", "Agents", "Environments", "Replay", "BenchmarkSupport"],
            path: "Benchmarks/ContinualBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "MemoryBenchmark",
            dependencies: [
                "EpisodicMemory", "Agents", "Environments", "Replay", "Randomness", "CBLAS", "BenchmarkSupport",
            ],
            path: "Benchmarks/MemoryBenchmark",
            swiftSettings: swiftSettings
        ),

        // Test support and test-only tools.
        .target(
            name: "LifelongTestSupport",
            dependencies: ["HDF5", "Replay", "RunLog"],
            path: "Tests/LifelongTestSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "HDF5CrashWriter",
            dependencies: ["HDF5", "LifelongTestSupport"],
            path: "Tests/Tools/HDF5CrashWriter",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ReplayCrashWriter",
            dependencies: ["Replay", "LifelongTestSupport"],
            path: "Tests/Tools/ReplayCrashWriter",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HDF5Tests",
            dependencies: ["HDF5", "CHDF5", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NeuralTests",
            dependencies: ["Neural", "CKernels", "HDF5", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EnvironmentsTests",
            dependencies: ["Environments", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReplayTests",
            dependencies: ["Replay", "HDF5", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentsTests",
            dependencies: ["Agents", "Environments", "Replay", "HDF5", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContinualTests",
            dependencies: ["Continual", "Agents", "Environments", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WorldModelTests",
            dependencies: ["WorldModel", "CKernels", "Neural", "Replay", "HDF5", "Randomness", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EpisodicMemoryTests",
            dependencies: ["EpisodicMemory", "Environments", "HDF5", "Randomness", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "HDF5", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SweepsTests",
            dependencies: ["Sweeps", "Continual", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LifelongCLITests",
            dependencies: ["HDF5", "Continual", "RunLog", "LifelongTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
