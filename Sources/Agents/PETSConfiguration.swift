public import WorldModel

/// PETS hyper-parameters, flat so a curriculum or `--config` names each one; defaulted as mbrl-lib's
/// `pets_cartpole` (7 members × 4 × 200 SiLU, 5 elites, Adam 7.5e-4 with weight decay 3e-5, batch 256, a fit every
/// 50 steps of at most 25 epochs; CEM horizon 15, population 350, 10% elites, 5 iterations, α 0.1; 20 particles).
public struct PETSConfiguration: Codable, Equatable, Sendable, EnsembleHyperParameters {
    // The ensemble.
    public var members = 7
    public var elites = 5
    public var hiddenLayers = [200, 200, 200, 200]
    public var modelLearningRate: Float = 7.5e-4
    public var modelWeightDecay: Float = 3e-5
    public var modelBatchSize = 256
    public var validationRatio = 0.2
    public var maximumEpochs = 25
    public var patience = 5
    // Planning.
    /// `cem` or `mppi` for continuous actions; discrete actions always plan with the categorical CEM.
    public var planner = "cem"
    public var horizon = 15
    public var population = 350
    public var eliteRatio = 0.1
    public var iterations = 5
    public var alpha: Float = 0.1
    /// MPPI's reward scaling, noise and noise filter.
    public var mppiGamma: Float = 10
    public var mppiSigma: Float = 0.5
    public var mppiBeta: Float = 0.7
    public var particles = 20
    /// Threads that share a planning step's ensemble forward passes (members spread over them, each with a
    /// single-threaded BLAS); give it the cores the run owns.
    public var planningThreads = 1
    /// The arithmetic of planning's ensemble products: `float32`, or `bfloat16` (hidden-to-hidden products in
    /// bf16 with float32 sums, about twice as fast; needs AVX512_BF16). Fits and error metrics stay float32.
    public var planningPrecision = PredictionPrecision.float32
    /// `ts1` or `tsInfinity`.
    public var propagation = Propagation.tsInfinity
    // The loop.
    /// Uniformly random actions before the first fit (mbrl-lib: one 200-step trial).
    public var randomSteps = 200
    /// Refit the model every this many environment steps.
    public var trainEvery = 50
    /// Open-loop steps of the `worldmodel/<k>_step_*` error metrics.
    public var errorHorizon = 5

    public init() {}

    public var cem: CEMConfiguration {
        var configuration = CEMConfiguration()
        configuration.horizon = horizon
        configuration.population = population
        configuration.eliteRatio = eliteRatio
        configuration.iterations = iterations
        configuration.alpha = alpha
        return configuration
    }

    public var mppi: MPPIConfiguration {
        var configuration = MPPIConfiguration()
        configuration.horizon = horizon
        configuration.population = population
        configuration.iterations = iterations
        configuration.gamma = mppiGamma
        configuration.sigma = mppiSigma
        configuration.beta = mppiBeta
        return configuration
    }

    /// The problems with these settings (empty when usable).
    public var problems: [String] {
        var problems: [String] = []
        if !["cem", "mppi"].contains(planner) {
            problems.append("planner must be \"cem\" or \"mppi\"; got \"\(planner)\"")
        }
        if horizon < 1 { problems.append("horizon must be at least 1") }
        if population < 1 { problems.append("population must be at least 1") }
        if iterations < 1 { problems.append("iterations must be at least 1") }
        if particles < 1 { problems.append("particles must be at least 1") }
        if planningThreads < 1 { problems.append("planningThreads must be at least 1") }
        if let reason = planningPrecision.unavailability { problems.append("planningPrecision: " + reason) }
        if randomSteps < 1 { problems.append("randomSteps must be at least 1 (the first fit needs data)") }
        if trainEvery < 1 { problems.append("trainEvery must be at least 1") }
        if errorHorizon < 1 { problems.append("errorHorizon must be at least 1") }
        return problems + ensemble(knownReward: false, knownTermination: false).problems
    }
}
