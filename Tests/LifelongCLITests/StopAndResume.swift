import LifelongTestSupport
import Testing

/// Runs `curriculum` into `out`, stops it with SIGTERM once a line containing `afterLine` appears, resumes it, and
/// expects both halves to go as planned: the stopped run says "Stopped at step", the resume exits 0. The resumed
/// run is then in `out`.
func expectStopAndResume(
    _ lifelong: String, curriculum: String, out: String, afterLine: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (transcript, resumed) = try CurriculumRuns.stopAndResume(
        lifelong, curriculum: curriculum, out: out, afterLine: afterLine)
    #expect(transcript.contains("Stopped at step"), "\(transcript)", sourceLocation: sourceLocation)
    #expect(resumed.status == 0, "\(resumed.transcript)", sourceLocation: sourceLocation)
}
