/// A binary min-heap of store slots ordered by a time stamp held outside it, with each slot's position kept so a
/// slot's time can change in O(log n). One per task, so eviction can pick the oldest entry of a task.
struct RecencyHeap {
    private(set) var slots: [Int32] = []

    var count: Int { slots.count }
    var oldest: Int32? { slots.first }

    /// `position[slot]` is the slot's index in `slots` (shared by all heaps; a slot is in one heap at a time).
    mutating func insert(_ slot: Int32, times: UnsafePointer<Int64>, position: UnsafeMutablePointer<Int32>) {
        slots.append(slot)
        position[Int(slot)] = Int32(slots.count - 1)
        siftUp(slots.count - 1, times: times, position: position)
    }

    mutating func remove(_ slot: Int32, times: UnsafePointer<Int64>, position: UnsafeMutablePointer<Int32>) {
        let index = Int(position[Int(slot)])
        let last = slots.count - 1
        if index != last {
            slots.swapAt(index, last)
            position[Int(slots[index])] = Int32(index)
        }
        slots.removeLast()
        if index < slots.count {
            siftDown(index, times: times, position: position)
            siftUp(index, times: times, position: position)
        }
    }

    /// Call after the slot's time grew (times only move forward).
    mutating func moved(_ slot: Int32, times: UnsafePointer<Int64>, position: UnsafeMutablePointer<Int32>) {
        siftDown(Int(position[Int(slot)]), times: times, position: position)
    }

    private mutating func siftUp(_ start: Int, times: UnsafePointer<Int64>, position: UnsafeMutablePointer<Int32>) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard older(slots[child], than: slots[parent], times) else { break }
            swap(child, parent, position)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int, times: UnsafePointer<Int64>, position: UnsafeMutablePointer<Int32>) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < slots.count else { return }
            var smallest = left
            if left + 1 < slots.count, older(slots[left + 1], than: slots[left], times) { smallest = left + 1 }
            guard older(slots[smallest], than: slots[parent], times) else { return }
            swap(parent, smallest, position)
            parent = smallest
        }
    }

    /// Older time first; equal times by slot, so the order never depends on history.
    private func older(_ a: Int32, than b: Int32, _ times: UnsafePointer<Int64>) -> Bool {
        let (ta, tb) = (times[Int(a)], times[Int(b)])
        return ta < tb || (ta == tb && a < b)
    }

    private mutating func swap(_ i: Int, _ j: Int, _ position: UnsafeMutablePointer<Int32>) {
        slots.swapAt(i, j)
        position[Int(slots[i])] = Int32(i)
        position[Int(slots[j])] = Int32(j)
    }
}
