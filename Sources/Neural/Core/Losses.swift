/// Losses, composed from graph operations so that their gradients come from the same checked derivatives.
/// A new loss is a few lines of the same kind (docs/neural.md).
extension Graph {
    /// mean((prediction − target)²)
    public func meanSquaredError(_ prediction: Variable, _ target: Variable) -> Variable {
        (prediction - target).squared().mean()
    }

    /// mean(huber(prediction − target)), the DQN loss (SB3's `smooth_l1_loss` with δ = 1).
    public func huberLoss(_ prediction: Variable, _ target: Variable, delta: Float = 1) -> Variable {
        (prediction - target).huber(delta: delta).mean()
    }

    /// −mean_i log softmax(logits_i)[label_i]: cross-entropy of integer labels.
    public func crossEntropy(logits: Variable, labels: [Int32]) -> Variable {
        -gather(logits.logSoftmax(), indices: labels).mean()
    }

    /// Gaussian negative log-likelihood as mbrl-lib computes it for ensembles:
    /// mean((μ − y)²·e^(−log σ²) + log σ²) — without the ½ and the log 2π constant.
    public func gaussianNLL(mean: Variable, logVariance: Variable, target: Variable) -> Variable {
        ((mean - target).squared() * (-logVariance).exp() + logVariance).mean()
    }

    /// Keeps a predicted log-variance softly inside [min, max] (each one value per output column, usually
    /// learned parameters): lv ← max − softplus(max − lv), then lv ← min + softplus(lv − min), as in PETS.
    public func softBoundedLogVariance(_ logVariance: Variable, min lower: Variable, max upper: Variable) -> Variable {
        let belowMax = (-(-(logVariance - upper)).softplus()) + upper
        return (belowMax - lower).softplus() + lower
    }

    /// mean over rows of KL(p ‖ q) for categorical distributions given by logits.
    public func categoricalKL(logitsP: Variable, logitsQ: Variable) -> Variable {
        let logP = logitsP.logSoftmax()
        let logQ = logitsQ.logSoftmax()
        return (logP.exp() * (logP - logQ)).sumAlongLastAxis().mean()
    }
}
