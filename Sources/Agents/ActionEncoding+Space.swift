public import Environments
public import WorldModel

extension ActionEncoding {
    /// How a world model takes actions of `space` (box: as they are; discrete: one-hot), and how many values one
    /// stored action has; nil for spaces a world model does not take (multi-discrete).
    public static func forSpace(_ space: Space) -> (encoding: ActionEncoding, storedWidth: Int)? {
        switch space {
        case .box(let low, _, _): (.continuous(low.count), low.count)
        case .discrete(let count): (.oneHot(count), 1)
        case .multiDiscrete: nil
        }
    }
}
