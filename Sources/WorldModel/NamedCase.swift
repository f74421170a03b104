/// Decodes a string-named case so that a wrong name lists the right ones — what a curriculum's author sees as
/// `"planningPrecision" has the wrong type ("bf16" is not one of float32, bfloat16)`.
func decodeNamedCase<Case: RawRepresentable & CaseIterable>(
    _: Case.Type, from decoder: any Decoder
) throws -> Case where Case.RawValue == String {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let value = Case(rawValue: name) else {
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "\"\(name)\" is not one of " + Case.allCases.map(\.rawValue).joined(separator: ", ")))
    }
    return value
}
