import Foundation
import HDF5
import LifelongTestSupport
import Neural
import Testing

@Suite("Optimizers follow PyTorch's update rules")
struct OptimizerTests {
    /// A store with one parameter θ = [1, −2], and gradients set to `gradient`.
    func store(gradient: [Float]) -> ParameterStore {
        let store = ParameterStore()
        let theta = store.allocate("theta", shape: [2]) {
            $0[0] = 1
            $0[1] = -2
        }
        _ = store.gradient(of: theta).update(fromContentsOf: gradient)
        return store
    }

    @Test func adamsFirstStepMovesEachWeightByTheLearningRate() {
        let s = store(gradient: [0.5, -4])
        Adam(store: s, learningRate: 0.1).step()
        // m̂ = g, v̂ = g², so θ −= lr·g/(|g| + ε).
        #expect(abs(s.values[0] - 0.9) < 1e-6 && abs(s.values[1] - -1.9) < 1e-6)
        #expect(s.gradients.allSatisfy { $0 == 0 }, "the step zeroes gradients")
    }

    @Test func adamSplitOverALaneGivesTheSameStepsBitForBit() {
        /// Five AdamW steps on a store of 50,001 values (above the split size, odd), with or without a lane.
        func stepped(lane: Lane?) -> (values: [Float], moments: [Float], gradients: [Float]) {
            let store = ParameterStore()
            _ = store.allocate("theta", shape: [50_001]) { $0.update(repeating: 0.5) }
            let adam = Adam(store: store, learningRate: 0.01, weightDecay: .decoupled(0.1))
            adam.lane = lane
            for step in 0..<5 {
                let gradients = store.gradients
                for index in gradients.indices {
                    gradients[index] = Float((index * 7919 + step * 104_729) % 2001) - 1000
                }
                adam.step()
            }
            return (Array(store.values), adam.stateBuffers.flatMap { Array($0.values) }, Array(store.gradients))
        }
        let serial = stepped(lane: nil)
        let split = stepped(lane: Lane())
        #expect(split.values == serial.values && split.moments == serial.moments)
        #expect(split.gradients.allSatisfy { $0 == 0 }, "both halves zero their gradients")
    }

    @Test func adamWDecaysWeightsBeforeTheUpdate() {
        let s = store(gradient: [0.5, -4])
        Adam.adamW(store: s, learningRate: 0.1, weightDecay: 0.5).step()
        #expect(abs(s.values[0] - (1 * 0.95 - 0.1)) < 1e-6)
        #expect(abs(s.values[1] - (-2 * 0.95 + 0.1)) < 1e-6)
    }

    @Test func sgdWithMomentumAccumulatesVelocity() {
        let s = store(gradient: [1, 1])
        let sgd = SGD(store: s, learningRate: 0.1, momentum: 0.9)
        sgd.step()  // v = g = 1; θ −= 0.1
        _ = s.gradients.update(fromContentsOf: [1, 1])
        sgd.step()  // v = 0.9 + 1 = 1.9; θ −= 0.19
        #expect(abs(s.values[0] - (1 - 0.1 - 0.19)) < 1e-6)
    }

    @Test func rmspropDividesByTheRunningRootMeanSquare() {
        let s = store(gradient: [2, -1])
        RMSprop(store: s, learningRate: 0.01).step()
        // E[g²] = 0.01·g², so θ −= lr·g/(0.1|g| + ε) = ∓0.1
        #expect(abs(s.values[0] - 0.9) < 1e-5 && abs(s.values[1] - -1.9) < 1e-5)
    }

    @Test func globalNormClippingScalesAllGradientsTogether() {
        let s = store(gradient: [3, 4])
        #expect(s.clipGradientNorm(1) == 5)
        #expect(abs(s.gradients[0] - 0.6) < 1e-5 && abs(s.gradients[1] - 0.8) < 1e-5)
        #expect(s.clipGradientNorm(10) < 1.0001)
    }

    @Test func learningRateSchedules() {
        #expect(LearningRateSchedule.linear(start: 1, end: 0, steps: 10).rate(at: 5) == 0.5)
        #expect(LearningRateSchedule.linear(start: 1, end: 0, steps: 10).rate(at: 50) == 0)
        #expect(abs(LearningRateSchedule.cosine(start: 1, end: 0, steps: 10).rate(at: 5) - 0.5) < 1e-6)
        #expect(LearningRateSchedule.stepDecay(start: 1, factor: 0.5, every: 10).rate(at: 25) == 0.25)
        #expect(LearningRateSchedule.warmup(steps: 4, then: .constant(2)).rate(at: 1) == 1)
        let s = store(gradient: [0, 0])
        let adam = Adam(store: s, schedule: .linear(start: 1, end: 0, steps: 4))
        adam.step()
        adam.step()
        #expect(adam.learningRate == 0.75)
    }

    @Test func targetNetworksCopyAndPolyakAverage() {
        var random = RandomStream(seed: 1)
        let online = ParameterStore()
        let target = ParameterStore()
        _ = MLP([3, 4, 2], activation: .relu, store: online, random: &random)
        _ = MLP([3, 4, 2], activation: .relu, store: target, random: &random)
        let before = target.snapshot()
        target.polyakUpdate(from: online, rate: 0.25)
        for i in 0..<target.count {
            #expect(abs(target.values[i] - (0.75 * before[i] + 0.25 * online.values[i])) < 1e-6)
        }
        target.copy(from: online)
        #expect(target.snapshot() == online.snapshot())
    }

    @Test func resumingFromAnHDF5CheckpointContinuesBitForBit() throws {
        let directory = TemporaryDirectory("neural-checkpoint")
        let input = randomTensor([16, 3], seed: 3)
        let target = randomTensor([16, 2], seed: 4)
        func model(_ store: ParameterStore) -> MLP {
            var random = RandomStream(seed: 21)
            return MLP([3, 8, 2], activation: .tanh, store: store, random: &random)
        }
        func train(_ net: MLP, _ optimizer: Adam, steps: Int) {
            let graph = Graph()
            for _ in 0..<steps {
                graph.reset()
                graph.backward(graph.meanSquaredError(net(graph.input(input)), graph.input(target)))
                optimizer.step()
            }
        }
        let store = ParameterStore()
        let net = model(store)
        let optimizer = Adam(store: store, learningRate: 1e-2)
        train(net, optimizer, steps: 10)
        let path = directory.file("checkpoint.h5")
        do {
            let file = try File.create(path)
            try store.save(to: file.createGroup("policy"))
            try optimizer.save(to: file.createGroup("optimizer"))
        }
        train(net, optimizer, steps: 10)

        let resumedStore = ParameterStore()
        let resumedNet = model(resumedStore)
        let resumedOptimizer = Adam(store: resumedStore, learningRate: 1e-2)
        let file = try File.open(path)
        try resumedStore.load(from: file.openGroup("policy"))
        try resumedOptimizer.load(from: file.openGroup("optimizer"))
        #expect(resumedOptimizer.stepCount == 10)
        train(resumedNet, resumedOptimizer, steps: 10)
        #expect(resumedStore.snapshot() == store.snapshot())
    }

    @Test func loadingIntoADifferentModelNamesTheDifference() throws {
        let directory = TemporaryDirectory("neural-mismatch")
        var random = RandomStream(seed: 1)
        let saved = ParameterStore()
        _ = MLP([3, 8, 2], activation: .relu, store: saved, random: &random)
        let file = try File.create(directory.file("c.h5"))
        try saved.save(to: file.createGroup("policy"))
        let other = ParameterStore()
        _ = MLP([3, 16, 2], activation: .relu, store: other, random: &random)
        let error = try #require(throws: HDF5Error.self) { try other.load(from: file.openGroup("policy")) }
        #expect(error.description.contains("mlp/0/weight [3, 8]"))
        #expect(error.description.contains("[3, 16]"))
    }
}
