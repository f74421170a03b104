/// Small curricula for command-line tests: quick in a debug build, with something to forget.
public enum TestCurricula {
    /// A T-maze whose two tasks put the goal in opposite arms (the junction looks the same in both), trained in
    /// `blocks` (task names and steps), evaluated every `evaluationEvery` steps, with `strategy` and a small DQN
    /// (or the `agent` object given as JSON).
    public static func tinyMaze(
        name: String = "tiny-maze", blocks: [(task: String, steps: Int)], evaluationEvery: Int,
        strategy: String = "finetune", checkpointEvery: Int? = nil, agent: String? = nil
    ) -> String {
        let dqn = """
            {"policy": "dqn", "hyperparameters": {"learningRate": 0.001, "gamma": 0.9, "batchSize": 16,
                "learningStarts": 100, "trainFrequency": 1, "targetUpdateInterval": 100, "hiddenLayers": [16]},
                "replay": {"capacity": 1000}}
            """
        let schedule = blocks.map { #"{"task": "\#($0.task)", "steps": \#($0.steps)}"# }.joined(separator: ", ")
        let checkpoint = checkpointEvery.map { #", "checkpoint": {"every_steps": \#($0)}"# } ?? ""
        return """
            {
              "name": "\(name)",
              "seeds": {"agent": 1, "curriculum": 1},
              "tasks": {
                "goal-left": {"env": "GridWorld-v0", "params": {"layout": "#######/#G...L#/###S###/#######",
                  "view_radius": 1, "max_episode_steps": 4, "reward_scale": 3}},
                "goal-right": {"env": "GridWorld-v0", "params": {"layout": "#######/#L...G#/###S###/#######",
                  "view_radius": 1, "max_episode_steps": 4, "reward_scale": 3}}
              },
              "schedule": [\(schedule)],
              "evaluation": {"every_steps": \(evaluationEvery), "episodes": 2},
              "agent": \(agent ?? dqn),
              "strategy": {"name": "\(strategy)"}\(checkpoint)
            }
            """
    }
}
