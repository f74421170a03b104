/// A growable, fixed-width column of trivially copyable values with a stable pointer between growths.
final class Column<Value: BitwiseCopyable> {
    let width: Int
    private(set) var capacity: Int
    private(set) var pointer: UnsafeMutablePointer<Value>
    private let zero: Value

    init(width: Int, capacity: Int, zero: Value) {
        self.width = width
        self.capacity = max(capacity, 1)
        self.zero = zero
        pointer = .allocate(capacity: self.capacity * width)
        pointer.initialize(repeating: zero, count: self.capacity * width)
    }

    deinit { pointer.deallocate() }

    /// Makes room for at least `rows` rows (doubling), keeping the contents.
    func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        let grown = max(rows, capacity * 2)
        let next = UnsafeMutablePointer<Value>.allocate(capacity: grown * width)
        next.initialize(repeating: zero, count: grown * width)
        next.update(from: pointer, count: capacity * width)
        pointer.deallocate()
        pointer = next
        capacity = grown
    }

    @inline(__always) func row(_ index: Int) -> UnsafeMutablePointer<Value> { pointer + index * width }

    subscript(index: Int) -> Value {
        @inline(__always) get { pointer[index] }
        @inline(__always) set { pointer[index] = newValue }
    }
}
