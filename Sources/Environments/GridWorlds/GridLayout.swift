import Randomness

/// What a grid cell holds.
public enum Cell: UInt8, Sendable, CaseIterable {
    case empty = 0
    case wall, goal, lava, key, lockedDoor, openDoor

    /// The layout character: `.` empty, `#` wall, `G` goal, `L` lava, `K` key, `D` locked door, `O` open door.
    public var character: Character { Array(".#GLKDO")[Int(rawValue)] }

    init?(character: Character) {
        guard let index = Array(".#GLKDO").firstIndex(of: character) else { return nil }
        self.init(rawValue: UInt8(index))
    }
}

/// A grid of cells with a start position: parsed from text or generated from a seed.
public struct GridLayout: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var cells: [Cell]
    public var start: (x: Int, y: Int)

    public static func == (lhs: GridLayout, rhs: GridLayout) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.cells == rhs.cells && lhs.start == rhs.start
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { x < 0 || y < 0 || x >= width || y >= height ? .wall : cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Parses rows separated by `/`, e.g. `"#####/#S.G#/#####"`; `S` marks the start (an empty cell).
    public init(parsing text: String, environment: String) throws {
        let rows = text.split(separator: "/").map(Array.init)
        func fail(_ reason: String) -> EnvironmentError {
            EnvironmentError(.invalidParameter, "\(environment): parameter \"layout\" \(reason)")
        }
        guard let first = rows.first, rows.count >= 3, first.count >= 3 else {
            throw fail("needs at least 3 rows of at least 3 cells, separated by \"/\"")
        }
        guard rows.allSatisfy({ $0.count == first.count }) else {
            throw fail("has rows of different lengths; every row needs \(first.count) cells")
        }
        width = first.count
        height = rows.count
        var cells: [Cell] = []
        var starts: [(Int, Int)] = []
        for (y, row) in rows.enumerated() {
            for (x, character) in row.enumerated() {
                if character == "S" {
                    starts.append((x, y))
                    cells.append(.empty)
                } else if let cell = Cell(character: character) {
                    cells.append(cell)
                } else {
                    throw fail("has \"\(character)\" at row \(y), column \(x); use . # G L K D O and one S")
                }
            }
        }
        guard starts.count == 1 else { throw fail("needs exactly one start S; found \(starts.count)") }
        guard cells.contains(.goal) else { throw fail("needs at least one goal G") }
        self.cells = cells
        start = starts[0]
    }

    /// An empty room with walls around it.
    init(room width: Int, _ height: Int) {
        self.width = width
        self.height = height
        cells = [Cell](repeating: .empty, count: width * height)
        start = (1, 1)
        for x in 0..<width {
            self[x, 0] = .wall
            self[x, height - 1] = .wall
        }
        for y in 0..<height {
            self[0, y] = .wall
            self[width - 1, y] = .wall
        }
    }

    /// The text form (rows joined by `/`).
    public var text: String {
        (0..<height).map { y in
            String((0..<width).map { x in (x, y) == start ? "S" : self[x, y].character })
        }.joined(separator: "/")
    }

    /// Whether a goal can be reached from the start (keys open locked doors once picked up).
    public var isSolvable: Bool {
        // Search over (position, has key); picking up any key lets every locked door be passed.
        var seen = Set<Int>()
        var frontier = [(start.x, start.y, false)]
        while let (x, y, key) = frontier.popLast() {
            let id = (y * width + x) * 2 + (key ? 1 : 0)
            guard !seen.contains(id) else { continue }
            seen.insert(id)
            let cell = self[x, y]
            if cell == .goal { return true }
            for (dx, dy) in [(0, -1), (1, 0), (0, 1), (-1, 0)] {
                let next = self[x + dx, y + dy]
                if next == .wall || next == .lava || (next == .lockedDoor && !(key || cell == .key)) { continue }
                frontier.append((x + dx, y + dy, key || cell == .key || next == .key))
            }
        }
        return false
    }
}

/// Procedural layouts: the same family and seed give the same grid on every machine.
enum GridGenerator {
    static func fourRooms(size: Int, random: inout RandomStream) -> GridLayout {
        var grid = GridLayout(room: size, size)
        let middle = size / 2
        for i in 0..<size {
            grid[middle, i] = .wall
            grid[i, middle] = .wall
        }
        // One doorway in each of the four wall segments.
        grid[middle, 1 + pick(middle - 1, &random)] = .empty
        grid[middle, middle + 1 + pick(size - middle - 2, &random)] = .empty
        grid[1 + pick(middle - 1, &random), middle] = .empty
        grid[middle + 1 + pick(size - middle - 2, &random), middle] = .empty
        return grid
    }

    static func keyDoor(width: Int, height: Int, random: inout RandomStream) -> GridLayout {
        var grid = GridLayout(room: width, height)
        let wallX = 2 + pick(width - 4, &random)
        for y in 0..<height { grid[wallX, y] = .wall }
        grid[wallX, 1 + pick(height - 2, &random)] = .lockedDoor
        var keyPosition: (Int, Int)
        repeat {
            keyPosition = (1 + pick(wallX - 1, &random), 1 + pick(height - 2, &random))
        } while keyPosition == (1, 1)
        grid[keyPosition.0, keyPosition.1] = .key
        return grid
    }

    static func lavaCrossing(width: Int, height: Int, random: inout RandomStream) -> GridLayout {
        var grid = GridLayout(room: width, height)
        let riverX = 2 + pick(width - 4, &random)
        for y in 1..<(height - 1) { grid[riverX, y] = .lava }
        grid[riverX, 1 + pick(height - 2, &random)] = .empty
        return grid
    }

    private static func pick(_ count: Int, _ random: inout RandomStream) -> Int {
        Int(random.next() % UInt64(max(count, 1)))
    }
}
