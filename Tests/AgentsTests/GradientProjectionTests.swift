import Agents
import Testing

/// A-GEM's projection: conflicting gradients lose their component along the reference; others pass unchanged.
@Suite struct GradientProjectionTests {
    @Test func aConflictingGradientIsProjectedOntoTheReferencesNormalPlane() {
        var gradient: [Float] = [1, -2, 0]
        let reference: [Float] = [0, 1, 0]
        let projected = gradient.withUnsafeMutableBufferPointer { g in
            reference.withUnsafeBufferPointer { projectGradient(g, against: $0) }
        }
        #expect(projected)
        #expect(gradient == [1, 0, 0])  // g − (g·r / r·r)·r = [1, −2, 0] − (−2)·[0, 1, 0]
    }

    @Test func aGradientThatAgreesWithTheReferenceIsLeftAlone() {
        var gradient: [Float] = [1, 2, 3]
        let reference: [Float] = [0.5, 0, -0.1]
        let projected = gradient.withUnsafeMutableBufferPointer { g in
            reference.withUnsafeBufferPointer { projectGradient(g, against: $0) }
        }
        #expect(!projected)
        #expect(gradient == [1, 2, 3])
    }
}
