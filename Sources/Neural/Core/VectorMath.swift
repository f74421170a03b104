/// Elementwise loops on SIMD8 vectors for plain arithmetic, which Swift compiles to vector instructions.
/// Transcendental functions and square roots, which it does not, are in the CKernels target.
typealias Vector = SIMD8<Float>

/// Applies `body` to `count` values of `input`, writing `output` (which may be `input`), eight at a time.
@inline(__always)
func map8(
    _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ body: (Vector) -> Vector
) {
    let source = UnsafeRawPointer(input)
    let destination = UnsafeMutableRawPointer(output)
    var i = 0
    while i + 8 <= count {
        let result = body(source.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self))
        destination.storeBytes(of: result, toByteOffset: i &* 4, as: Vector.self)
        i &+= 8
    }
    if i < count {
        var tail = Vector(repeating: 0)
        for j in 0..<(count - i) { tail[j] = input[i + j] }
        let result = body(tail)
        for j in 0..<(count - i) { output[i + j] = result[j] }
    }
}

/// Combines two inputs elementwise, eight at a time: output[i] = body(a[i], b[i]).
@inline(__always)
func zip8(
    _ count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    _ body: (Vector, Vector) -> Vector
) {
    let first = UnsafeRawPointer(a)
    let second = UnsafeRawPointer(b)
    let destination = UnsafeMutableRawPointer(output)
    var i = 0
    while i + 8 <= count {
        let result = body(
            first.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self),
            second.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self))
        destination.storeBytes(of: result, toByteOffset: i &* 4, as: Vector.self)
        i &+= 8
    }
    if i < count {
        var x = Vector(repeating: 0)
        var y = Vector(repeating: 0)
        for j in 0..<(count - i) {
            x[j] = a[i + j]
            y[j] = b[i + j]
        }
        let result = body(x, y)
        for j in 0..<(count - i) { output[i + j] = result[j] }
    }
}

/// into[i] += body(a[i], b[i]), eight at a time: the shape of most derivative loops.
@inline(__always)
func accumulate8(
    _ count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
    _ body: (Vector, Vector) -> Vector
) {
    let first = UnsafeRawPointer(a)
    let second = UnsafeRawPointer(b)
    let destination = UnsafeMutableRawPointer(output)
    var i = 0
    while i + 8 <= count {
        let current = destination.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self)
        let result = body(
            first.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self),
            second.loadUnaligned(fromByteOffset: i &* 4, as: Vector.self))
        destination.storeBytes(of: current + result, toByteOffset: i &* 4, as: Vector.self)
        i &+= 8
    }
    if i < count {
        var x = Vector(repeating: 0)
        var y = Vector(repeating: 0)
        for j in 0..<(count - i) {
            x[j] = a[i + j]
            y[j] = b[i + j]
        }
        let result = body(x, y)
        for j in 0..<(count - i) { output[i + j] += result[j] }
    }
}

/// y[i] += α·x[i].
@inline(__always)
func addScaled(_ count: Int, _ alpha: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
    accumulate8(count, x, x, into: y) { value, _ in value * alpha }
}
