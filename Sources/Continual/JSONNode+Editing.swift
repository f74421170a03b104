import Foundation

extension JSONNode {
    /// A node of `value` at `path` (line 0: made, not parsed).
    public init(_ value: Value, path: String = "", line: Int = 0) {
        self.init(value: value, path: path, line: line)
    }

    /// A copy with the member at the dotted `keyPath` (e.g. `["agent", "hyperparameters", "learningRate"]`)
    /// replaced by `replacement`, or added at the end of its object; missing objects on the way are created.
    /// Members keep their order (task order in a curriculum is meaningful).
    ///
    /// - Throws: a message naming the step of the path that is not an object.
    public func setting(_ keyPath: [String], to replacement: JSONNode) throws(JSONEditError) -> JSONNode {
        guard let key = keyPath.first else { return replacement }
        guard var members = members else {
            throw JSONEditError("\(path.isEmpty ? "the document" : path) is \(kindDescription), not an object")
        }
        let childPath = path.isEmpty ? key : path + "." + key
        if let index = members.firstIndex(where: { $0.key == key }) {
            let child = try members[index].node.setting(Array(keyPath.dropFirst()), to: replacement)
            members[index] = (key, child)
        } else {
            let empty = JSONNode(.object([]), path: childPath)
            members.append((key, try empty.setting(Array(keyPath.dropFirst()), to: replacement)))
        }
        return JSONNode(.object(members), path: path, line: line)
    }

    /// A copy without the member at the dotted `keyPath` (unchanged when it is absent).
    public func removing(_ keyPath: [String]) -> JSONNode {
        guard let key = keyPath.first, var members else { return self }
        guard let index = members.firstIndex(where: { $0.key == key }) else { return self }
        if keyPath.count == 1 {
            members.remove(at: index)
        } else {
            members[index] = (key, members[index].node.removing(Array(keyPath.dropFirst())))
        }
        return JSONNode(.object(members), path: path, line: line)
    }

    /// JSON text with members in their order: two-space indentation, or one line when `compact`.
    /// Integral numbers print without a fraction.
    public func jsonText(compact: Bool = false) -> String {
        var out = ""
        write(into: &out, indent: compact ? nil : 0)
        return out
    }

    private func write(into out: inout String, indent: Int?) {
        let newline = indent.map { "\n" + String(repeating: "  ", count: $0 + 1) } ?? ""
        let close = indent.map { "\n" + String(repeating: "  ", count: $0) } ?? ""
        let next = indent.map { $0 + 1 }
        switch value {
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (index, member) in members.enumerated() {
                out += (index > 0 ? "," : "") + newline + Self.quoted(member.key) + (indent == nil ? ":" : ": ")
                member.node.write(into: &out, indent: next)
            }
            out += close + "}"
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, item) in items.enumerated() {
                out += (index > 0 ? "," : "") + newline
                item.write(into: &out, indent: next)
            }
            out += close + "]"
        case .string(let text): out += Self.quoted(text)
        case .number(let number):
            out += number == number.rounded() && abs(number) < 9e15 ? String(Int64(number)) : "\(number)"
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A JSON edit that cannot be made (a path step that is not an object).
public struct JSONEditError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
