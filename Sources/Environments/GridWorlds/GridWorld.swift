public import Randomness

/// MiniGrid-style grid worlds for memory-heavy and goal-switch curricula: walls, a goal, lava, a key and locked
/// doors; moves up, right, down, left (`Discrete(4)`).
///
/// Rules (each has a test): a wall blocks the move; stepping on the key picks it up; a locked door blocks unless
/// the key is held, and then opens and stays open; lava ends the episode with reward 0; the goal ends it with
/// MiniGrid's reward `reward_scale × (1 − 0.9 × steps / max_episode_steps)`; with `slip_probability` p the move is
/// replaced by a uniformly random one (from the environment's seeded stream).
///
/// Observation: the agent's position (x/(width−1), y/(height−1)), whether it holds the key, then cell codes
/// (cell value / 6): the whole grid with `view_radius` 0, or the (2r+1)² cells around the agent with radius r
/// (outside the grid reads as wall) — partial observability.
///
/// Layouts: `layout` as text (rows joined by `/`, characters `. # G L K D O S`), or generated per id from
/// `layout_seed`: an open room (`GridWorld-v0`), four rooms with random doorways (`FourRooms-v0`), a wall with a
/// locked door and a key (`KeyDoor-v0`), a lava river with one gap (`LavaCrossing-v0`). `goal_x`/`goal_y` and
/// `start_x`/`start_y` (−1: the family's default) move the goal and start — goal switches between tasks.
public final class GridWorld: Environment {
    public enum Family: String, Sendable { case room, fourRooms, keyDoor, lavaCrossing }

    public static let specifications: [ParameterSpecification] = [
        .init("layout", "", "the grid as text, rows joined by \"/\" (. # G L K D O S); empty: generated"),
        .init("layout_seed", 0, "seed of the generated layout"),
        .init("width", 7, "width of a generated layout"),
        .init("height", 7, "height of a generated layout"),
        .init("goal_x", -1, "goal column (−1: the family's default)"),
        .init("goal_y", -1, "goal row (−1: the family's default)"),
        .init("start_x", -1, "start column (−1: the layout's start)"),
        .init("start_y", -1, "start row (−1: the layout's start)"),
        .init("reward_scale", 1.0, "reward for reaching the goal at once"),
        .init("slip_probability", 0.0, "chance that a move is replaced by a random one"),
        .init("view_radius", 0, "0: the whole grid is observed; r: the (2r+1)² cells around the agent"),
    ]

    public let id: String
    public let observationSpace: Space
    public let actionSpace = Space.discrete(4)
    /// The layout at the start of each episode.
    public let layout: GridLayout
    let rewardScale, slipProbability: Double
    let viewRadius: Int
    let horizon: Int
    var grid: GridLayout
    var x = 0
    var y = 0
    var hasKey = false
    var steps = 0
    public var random: RandomStream

    public init(parameters: ParameterSet, family: Family, timeLimit: Int) throws {
        id = parameters.environment
        try parameters.require("width", "a whole number from 5 to 64") { $0 >= 5 && $0 <= 64 && $0 == $0.rounded() }
        try parameters.require("height", "a whole number from 5 to 64") { $0 >= 5 && $0 <= 64 && $0 == $0.rounded() }
        try parameters.require("slip_probability", "between 0 and 1") { (0...1).contains($0) }
        try parameters.require("view_radius", "a whole number from 0 to 10") {
            (0...10).contains($0) && $0 == $0.rounded()
        }
        try parameters.require("layout_seed", "a whole number ≥ 0") { $0 >= 0 && $0 == $0.rounded() }
        var layout: GridLayout
        let text = parameters.string("layout")
        let (width, height) = (Int(parameters.number("width")), Int(parameters.number("height")))
        var generator = RandomStream(seed: UInt64(parameters.number("layout_seed")))
        if !text.isEmpty {
            layout = try GridLayout(parsing: text, environment: id)
        } else {
            switch family {
            case .room: layout = GridLayout(room: width, height)
            case .fourRooms: layout = GridGenerator.fourRooms(size: max(width, height), random: &generator)
            case .keyDoor: layout = GridGenerator.keyDoor(width: width, height: height, random: &generator)
            case .lavaCrossing: layout = GridGenerator.lavaCrossing(width: width, height: height, random: &generator)
            }
            layout[layout.width - 2, layout.height - 2] = .goal
        }
        let goal = (parameters.number("goal_x"), parameters.number("goal_y"))
        if goal != (-1, -1) {
            let (gx, gy) = (Int(goal.0), Int(goal.1))
            guard gx > 0, gy > 0, gx < layout.width - 1, gy < layout.height - 1, layout[gx, gy] != .wall else {
                throw EnvironmentError(
                    .invalidParameter,
                    "\(id): goal (\(gx), \(gy)) is not a free cell inside the \(layout.width)×\(layout.height) grid")
            }
            for index in layout.cells.indices where layout.cells[index] == .goal { layout.cells[index] = .empty }
            layout[gx, gy] = .goal
        }
        let start = (parameters.number("start_x"), parameters.number("start_y"))
        if start != (-1, -1) {
            let (sx, sy) = (Int(start.0), Int(start.1))
            guard layout[sx, sy] == .empty else {
                throw EnvironmentError(
                    .invalidParameter, "\(id): start (\(sx), \(sy)) is not an empty cell of the grid")
            }
            layout.start = (sx, sy)
        }
        guard layout.isSolvable else {
            throw EnvironmentError(
                .invalidParameter, "\(id): no goal can be reached from the start in this layout: \(layout.text)")
        }
        self.layout = layout
        grid = layout
        rewardScale = parameters.number("reward_scale")
        slipProbability = parameters.number("slip_probability")
        viewRadius = Int(parameters.number("view_radius"))
        horizon = timeLimit
        let viewCells = viewRadius == 0 ? layout.width * layout.height : (2 * viewRadius + 1) * (2 * viewRadius + 1)
        observationSpace = .box(
            low: [Float](repeating: 0, count: 3 + viewCells), high: [Float](repeating: 1, count: 3 + viewCells))
        random = RandomStream(seed: 0)
        (x, y) = layout.start
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) {
        if let seed { random = RandomStream(seed: seed) }
        grid = layout
        (x, y) = layout.start
        hasKey = false
        steps = 0
        observe(into: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        var move: Int
        switch action {
        case .discrete(let index): move = index
        case .continuous(let values): move = Int(values[0])
        }
        if slipProbability > 0 && random.uniformDouble() < slipProbability { move = Int(random.next() % 4) }
        let (dx, dy) = [(0, -1), (1, 0), (0, 1), (-1, 0)][min(max(move, 0), 3)]
        steps += 1
        let (nx, ny) = (x + dx, y + dy)
        var reward = 0.0
        var terminated = false
        switch grid[nx, ny] {
        case .wall:
            break
        case .lockedDoor:
            if hasKey {
                grid[nx, ny] = .openDoor
                (x, y) = (nx, ny)
            }
        case .key:
            hasKey = true
            grid[nx, ny] = .empty
            (x, y) = (nx, ny)
        case .lava:
            (x, y) = (nx, ny)
            terminated = true
        case .goal:
            (x, y) = (nx, ny)
            terminated = true
            reward = rewardScale * (1 - 0.9 * Double(steps) / Double(horizon))
        case .empty, .openDoor:
            (x, y) = (nx, ny)
        }
        observe(into: observation)
        return StepOutcome(reward: reward, terminated: terminated, truncated: false)
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(x) / Float(grid.width - 1)
        observation[1] = Float(y) / Float(grid.height - 1)
        observation[2] = hasKey ? 1 : 0
        var index = 3
        if viewRadius == 0 {
            for cell in grid.cells {
                observation[index] = Float(cell.rawValue) / 6
                index += 1
            }
        } else {
            for vy in (y - viewRadius)...(y + viewRadius) {
                for vx in (x - viewRadius)...(x + viewRadius) {
                    observation[index] = Float(grid[vx, vy].rawValue) / 6
                    index += 1
                }
            }
        }
    }

    /// x, y, has key, steps taken, then every cell's code.
    public var state: [Double] {
        [Double(x), Double(y), hasKey ? 1 : 0, Double(steps)] + grid.cells.map { Double($0.rawValue) }
    }

    public func setState(_ state: [Double]) throws {
        try requireStateCount(
            state, 4 + layout.cells.count, id: id, layout: "x, y, has_key, steps, then \(layout.cells.count) cell codes"
        )
        let cells = try state.dropFirst(4).map { code -> Cell in
            guard let cell = Cell(rawValue: UInt8(exactly: code) ?? 255) else {
                throw EnvironmentError(.invalidState, "\(id): \(code) is not a cell code (0…6)")
            }
            return cell
        }
        guard state[0] >= 0, state[1] >= 0, Int(state[0]) < layout.width, Int(state[1]) < layout.height else {
            throw EnvironmentError(.invalidState, "\(id): position (\(state[0]), \(state[1])) is outside the grid")
        }
        (x, y, hasKey, steps) = (Int(state[0]), Int(state[1]), state[2] != 0, Int(state[3]))
        grid.cells = cells
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(state: state, random: random) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try setState(snapshot.state)
        random = snapshot.randomStream
    }
}
