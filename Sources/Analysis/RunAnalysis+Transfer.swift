public import Continual
import Foundation
import RunLog

extension RunAnalysis {
    /// The reference curve (AUC over its one block, final return) of a `lifelong reference` run directory.
    public static func referenceCurve(_ directory: String) throws -> ReferenceCurve {
        let contents = try RunLogContents.read(directory: directory, includingMetrics: false)
        let inside = zip(contents.evaluationMeans, contents.evaluationBlocks).filter { $0.1 == 0 }.map { $0.0[0] }
        guard let final = contents.afterBlock.last?.first, !inside.isEmpty else {
            throw AnalysisError(
                "--reference: \(directory) holds no finished reference run; make one with `lifelong reference`")
        }
        return ReferenceCurve(areaUnderCurve: inside.reduce(0, +) / Double(inside.count), finalReturn: final)
    }

    /// Forward transfer and normalised scores against the reference runs in `reference` (one directory per task
    /// name, as `lifelong reference` writes them); tasks without a reference run have no value.
    public func transfer(reference: String) throws -> TransferMetrics {
        let curves = try evaluatedNames.map { name -> ReferenceCurve? in
            FileManager.default.fileExists(atPath: reference + "/" + name + "/log.h5")
                ? try Self.referenceCurve(reference + "/" + name) : nil
        }
        let random = zip(contents.evaluationMeans, contents.evaluationBlocks).first { $0.1 < 0 }?.0
        return TransferMetrics(
            areaUnderCurve: metrics.areaUnderCurve, random: random ?? evaluatedNames.map { _ in 0 },
            finalReturn: metrics.finalReturn, references: curves)
    }
}
