import Foundation
public import HDF5

extension EpisodicStore {
    /// Writes the live entries into `group`: `keys` float32 [n, keySize], `values` float32 [n, valueSize], `task`
    /// int32 [n], `inserted_at`, `last_used`, `last_updated` int64 [n] (logical clock), and attributes
    /// `configuration` (JSON) and `clock`. h5py reads them directly; the search index is rebuilt on load.
    ///
    /// ```python
    /// g = h5py.File("agent.h5")["memory"]; keys, values, tasks = g["keys"][:], g["values"][:], g["task"][:]
    /// ```
    public func save(to group: Group) throws {
        try group.setAttribute(
            "configuration", String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self))
        try group.setAttribute("clock", clock)
        if let index {
            // Only the centroids are stored: a reload files every entry in its cell again.
            try group.createDataset("index_centroids", of: Float.self, shape: [index.cellCount, index.keySize])
                .write(index.centroids)
            try group.setAttribute("index_probes", Int64(index.probes))
        }
        let n = count
        try group.createDataset("keys", of: Float.self, shape: [n, configuration.keySize])
            .write(Array(keys[0..<n * configuration.keySize]))
        try group.createDataset("values", of: Float.self, shape: [n, configuration.valueSize])
            .write(Array(values[0..<n * configuration.valueSize]))
        try group.createDataset("task", of: Int32.self, shape: [n]).write(Array(tasks[0..<n]))
        try group.createDataset("inserted_at", of: Int64.self, shape: [n]).write(Array(inserted[0..<n]))
        try group.createDataset("last_used", of: Int64.self, shape: [n]).write(Array(used[0..<n]))
        try group.createDataset("last_updated", of: Int64.self, shape: [n]).write(Array(updated[0..<n]))
    }

    /// A store restored from `save(to:)`: same entries in the same slots, same clock, same eviction order.
    public static func load(from group: Group) throws -> EpisodicStore {
        let text = try group.attribute("configuration", as: String.self)
        let configuration: MemoryConfiguration
        do {
            configuration = try JSONDecoder().decode(MemoryConfiguration.self, from: Data(text.utf8))
        } catch {
            throw MemoryError(
                "\(group.objectPath): its configuration attribute is not a memory configuration: \(error)")
        }
        let store = try EpisodicStore(configuration)
        let keys = try group.openDataset("keys", as: Float.self).readAll()
        let n = keys.count / configuration.keySize
        let values = try group.openDataset("values", as: Float.self).readAll()
        let tasks = try group.openDataset("task", as: Int32.self).readAll()
        let inserted = try group.openDataset("inserted_at", as: Int64.self).readAll()
        let used = try group.openDataset("last_used", as: Int64.self).readAll()
        let updated = try group.openDataset("last_updated", as: Int64.self).readAll()
        guard n <= configuration.capacity, values.count == n * configuration.valueSize,
            [tasks.count, inserted.count, used.count, updated.count].allSatisfy({ $0 == n })
        else {
            throw MemoryError(
                "\(group.objectPath): keys, values, task and times disagree on the number of entries (or exceed the "
                    + "capacity \(configuration.capacity)); the group is damaged")
        }
        store.count = n
        store.clock = try group.attribute("clock", as: Int64.self)
        for slot in 0..<n {
            keys.withUnsafeBufferPointer { keys in
                let size = configuration.keySize
                store.setKey(slot, UnsafeBufferPointer(rebasing: keys[slot * size..<(slot + 1) * size]))
            }
            for column in 0..<configuration.valueSize {
                store.values[slot * configuration.valueSize + column] = values[slot * configuration.valueSize + column]
            }
            store.tasks[slot] = tasks[slot]
            store.inserted[slot] = inserted[slot]
            store.used[slot] = used[slot]
            store.updated[slot] = updated[slot]
            store.recency[slot] = configuration.eviction == .leastRecentlyUpdated ? updated[slot] : used[slot]
            store.attach(slot)
        }
        if group.contains("index_centroids") {
            store.attachIndex(
                IVFIndex(
                    keySize: configuration.keySize,
                    centroids: try group.openDataset("index_centroids", as: Float.self).readAll(),
                    probes: Int(try group.attribute("index_probes", as: Int64.self)), capacity: configuration.capacity))
        }
        return store
    }
}
