import Foundation

/// A parsed JSON value that remembers where it came from — its JSON path (`schedule[3].task`) and its line — so
/// a curriculum error can point at the place. Object members keep their order (task order is the order written).
public struct JSONNode: Sendable {
    public indirect enum Value: Sendable {
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public let value: Value
    /// The JSON path, e.g. `schedule[3].task` (empty for the document itself).
    public let path: String
    /// The 1-based line where the value starts.
    public let line: Int

    /// What kind of JSON value this is, for messages ("an object", "a string", …).
    public var kindDescription: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The items of an array (nil for other values).
    public var elements: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    /// Whether the value is JSON's null.
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The members of an object (nil for other values).
    public var members: [(key: String, node: JSONNode)]? {
        if case .object(let members) = value { return members }
        return nil
    }

    /// The member called `key` of an object.
    public subscript(key: String) -> JSONNode? {
        members?.first { $0.key == key }?.node
    }

    /// Plain Foundation value (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`), for re-encoding.
    public var foundationValue: Any {
        switch value {
        case .object(let members):
            Dictionary(members.map { ($0.key, $0.node.foundationValue) }, uniquingKeysWith: { $1 })
        case .array(let items): items.map(\.foundationValue)
        case .string(let text): text
        case .number(let number): NSNumber(value: number)
        case .bool(let flag): NSNumber(value: flag)
        case .null: NSNull()
        }
    }
}

/// A syntax error in a JSON text, with its line and column.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONNode {
    /// Parses `text` (RFC 8259; duplicate keys are a syntax error, since the second would silently win).
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let node = try parser.parseValue(path: "")
        parser.skipWhitespace()
        if parser.position < parser.bytes.count { throw parser.error("unexpected text after the JSON value") }
        return node
    }
}

/// A recursive-descent parser over UTF-8 bytes that tracks lines.
private struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    var lineStart = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: position - lineStart + 1, message: message)
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                position += 1
                lineStart = position
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    mutating func parseValue(path: String) throws(JSONSyntaxError) -> JSONNode {
        let startLine = line
        guard let byte = current else { throw error("unexpected end of the text; a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return JSONNode(value: try parseObject(path: path), path: path, line: startLine)
        case UInt8(ascii: "["): return JSONNode(value: try parseArray(path: path), path: path, line: startLine)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), path: path, line: startLine)
        case UInt8(ascii: "t"):
            try expectWord("true")
            return JSONNode(value: .bool(true), path: path, line: startLine)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return JSONNode(value: .bool(false), path: path, line: startLine)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return JSONNode(value: .null, path: path, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(value: .number(try parseNumber()), path: path, line: startLine)
        default:
            throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'; a value was expected")
        }
    }

    mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected
        else { throw error("unexpected word; did you mean \(word)? (strings need double quotes)") }
        position += expected.count
    }

    mutating func parseObject(path: String) throws(JSONSyntaxError) -> JSONNode.Value {
        position += 1
        var members: [(key: String, node: JSONNode)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
            let key = try parseString()
            if members.contains(where: { $0.key == key }) { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\"") }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(path: path.isEmpty ? key : "\(path).\(key)")))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw error("expected ',' or '}' in an object (a trailing comma or a missing comma?)")
            }
        }
    }

    mutating func parseArray(path: String) throws(JSONSyntaxError) -> JSONNode.Value {
        position += 1
        var items: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(path: "\(path)[\(items.count)]"))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        var scalars: [UInt8] = []
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { break }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "n"): scalars.append(10)
                case UInt8(ascii: "t"): scalars.append(9)
                case UInt8(ascii: "r"): scalars.append(13)
                case UInt8(ascii: "b"): scalars.append(8)
                case UInt8(ascii: "f"): scalars.append(12)
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count,
                        let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
                    else { throw error("invalid \\u escape") }
                    position += 4
                    var value = code
                    // A surrogate pair spells one scalar above U+FFFF.
                    if (0xD800..<0xDC00).contains(code), position + 6 <= bytes.count,
                        bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                        let low = UInt32(
                            String(decoding: bytes[position + 2..<position + 6], as: UTF8.self), radix: 16),
                        (0xDC00..<0xE000).contains(low)
                    {
                        position += 6
                        value = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(contentsOf: Array(String(Unicode.Scalar(value) ?? "\u{FFFD}").utf8))
                default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
                }
            case UInt8(ascii: "\n"):
                throw error("a string runs past the end of the line (missing closing quote?)")
            default:
                scalars.append(byte)
            }
        }
        throw error("unterminated string")
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = position
        while let byte = current,
            byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw error("invalid number \(text)") }
        return number
    }
}
