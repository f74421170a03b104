import HDF5
import Randomness

/// A seeded reservoir of held-out samples of one task — a key (or observation), the action taken and the
/// discounted return obtained — against which an episodic memory's value estimates are measured (retention).
struct HeldOutSamples {
    var keys: [Float] = []
    var actions: [Int] = []
    var returns: [Float] = []
    /// Samples offered so far (reservoir sampling).
    var seen = 0

    /// Reservoir sampling: keeps each offered sample with probability capacity / seen.
    mutating func offer(
        _ key: [Float], action: Int, value: Float, capacity: Int, stream: inout RandomStream
    ) {
        seen += 1
        let place = actions.count < capacity ? actions.count : stream.index(below: seen)
        if place == actions.count {
            keys += key
            actions.append(action)
            returns.append(value)
        } else if place < capacity {
            for index in key.indices { keys[place * key.count + index] = key[index] }
            actions[place] = action
            returns[place] = value
        }
    }
}

extension HeldOutSamples {
    /// Writes each task's reservoir under `holdout/task_N` of `group` (`keys`, `actions`, `returns`; attributes
    /// `task`, `seen`).
    static func save(_ sets: [Int32: HeldOutSamples], to group: Group) throws {
        for (task, set) in sets {
            let held = try group.createGroup("holdout/task_\(task)")
            try held.setAttribute("task", Int64(task))
            try held.setAttribute("seen", Int64(set.seen))
            try held.createDataset("keys", of: Float.self, shape: [set.keys.count]).write(set.keys)
            try held.createDataset("actions", of: Int64.self, shape: [set.actions.count])
                .write(set.actions.map { Int64($0) })
            try held.createDataset("returns", of: Float.self, shape: [set.returns.count]).write(set.returns)
        }
    }

    /// The reservoirs `save` wrote into `group` (none when it holds no `holdout`).
    static func load(from group: Group) throws -> [Int32: HeldOutSamples] {
        guard group.contains("holdout") else { return [:] }
        var sets: [Int32: HeldOutSamples] = [:]
        let folder = try group.openGroup("holdout")
        for name in try folder.children() {
            let held = try folder.openGroup(name)
            sets[Int32(try held.attribute("task", as: Int64.self))] = HeldOutSamples(
                keys: try held.openDataset("keys", as: Float.self).readAll(),
                actions: try held.openDataset("actions", as: Int64.self).readAll().map { Int($0) },
                returns: try held.openDataset("returns", as: Float.self).readAll(),
                seen: Int(try held.attribute("seen", as: Int64.self)))
        }
        return sets
    }
}
