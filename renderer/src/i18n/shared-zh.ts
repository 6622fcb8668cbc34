// Simplified Chinese for the texts that come from shared/ as data (trick descriptors, their parameters,
// presets): shared/ states them once in English, the page translates them here. A test checks that every
// trick and every parameter of the registry has an entry, so a new trick cannot ship untranslated.
import type { TrickId } from '../../../shared/index.js';

export const TRICKS_ZH: Record<TrickId, { label: string; summary: string }> = {
  scaleUnit: {
    label: '输入缩放到 [0, 1]',
    summary: '用训练集的最小值和最大值把输入线性映射到 [0, 1]：表格数据按特征，图像按全部像素。原始 0–255 的像素值会让第一层的预激活值非常大，缩放后梯度才能顺畅流动。',
  },
  scaleSymmetric: {
    label: '输入缩放到 [-1, 1]',
    summary: '用训练集的最小值和最大值把输入线性映射到 [-1, 1]：表格数据按特征，图像按全部像素。以零为中心的输入让一个单元的权重可以同时朝两个方向调整，通常能加快最初几轮的训练。',
  },
  standardize: {
    label: '输入标准化',
    summary: '减去训练集的均值并除以其标准差：表格数据按特征，图像按全部像素。这样输入的均值为 0、方差为 1，不会因为单位不同而让某个特征主导第一层。',
  },
  randomFlip: {
    label: '随机水平翻转',
    summary: '以给定概率把每张训练图像左右镜像，每轮重新抽取；验证和测试图像从不改变。衬衫或汽车镜像后仍是同一类，网络因此免费见到两倍的变化；对于镜像后变成另一种形状的数字和字母，它反而有害。',
  },
  randomShift: {
    label: '随机平移（填充后裁剪）',
    summary: '把每张训练图像在每个方向随机移动至多给定像素数的整数距离，并填充露出的边框（相当于先填充再裁剪回原尺寸）；每轮重新抽取，从不作用于验证或测试图像。网络由此学到物体移动几个像素后仍是同一物体，而卷积本身只部分具备这种性质。',
  },
  gaussianNoise: {
    label: '高斯输入噪声',
    summary: '给每个训练批次的每个输入值加上新抽取的正态噪声（验证和测试数据从不加噪），其标准差是输入自身标准差的一个比例。网络无法依赖精确的数值，效果类似于惩罚尖锐的权重；噪声过大则会掩盖信号。',
  },
  initUniform: {
    label: '均匀初始化 U(-a, a)',
    summary: '不论层的大小，都从 [-a, a] 上的均匀分布抽取每个权重。a 固定时，宽的层输出方差会随扇入增长，这正是缩放式初始化出现的原因。',
  },
  initNormal: {
    label: '正态初始化 N(0, 1)（反面基线）',
    summary: '不考虑层的大小，从标准正态分布抽取每个权重。激活值每层大约放大 √扇入 倍，随后饱和或爆炸：把它当作说明缩放初始化为何重要的基线。',
  },
  initLecun: {
    label: 'LeCun 初始化 N(0, 1/n_in)',
    summary: '从方差为 1/扇入 的正态分布抽取权重。这样每个单元的预激活方差约等于单个输入的方差，信号经过线性层和 tanh 层时保持尺度，而每个 ReLU 层会把一半置零、使方差减半（He 初始化正是为此补偿）。',
  },
  initGlorotNormal: {
    label: 'Xavier/Glorot 正态初始化',
    summary: '从 N(0, 2/(n_in + n_out)) 抽取权重，兼顾前向信号和反向梯度的方差。适合在零附近斜率为 1 的 tanh 层；ReLU 层会把一半输入置零，信号逐层缩小。',
  },
  initGlorotUniform: {
    label: 'Xavier/Glorot 均匀初始化',
    summary: '从 U(-a, a) 抽取权重，a = √(6/(n_in + n_out))，方差与 Glorot 正态相同。它是 TensorFlow.js 和 Keras 全连接层与卷积层的默认初始化。',
  },
  initHe: {
    label: 'He 初始化 N(0, 2/n_in)',
    summary: '从方差为 2/扇入 的正态分布抽取权重。ReLU 会把一半输入置零，因子 2 正好补偿这一点，使深层 ReLU 网络保持信号强度。',
  },
  batchNorm: {
    label: '批归一化',
    summary: '在每个隐藏的全连接层和卷积层之后、激活之前插入批归一化层。每个单元的预激活按批次重新居中和缩放，从而允许更大的学习率，并降低对初始化的敏感度。',
  },
  dropout: {
    label: 'Dropout',
    summary: '在每个隐藏的全连接层后插入 dropout 层：训练时每个单元以概率 p 置零，其余单元乘以 1/(1-p)。单元无法依赖特定的伙伴，效果类似于训练一组稀疏网络的集成。',
  },
  earlyStopping: {
    label: '早停',
    summary: '监视验证损失，若连续 patience 轮都没有至少下降 min-delta 就停止训练。默认随后恢复最佳一轮的权重，训练跑满最后一轮时也恢复（与 Keras 3 相同；由 restoreBest 选择）。',
  },
  l2: {
    label: 'L2 权重惩罚',
    summary: '在损失中加入层堆栈中全连接层和卷积层的卷积核上的 λ·Σw²（自带正则项的层保持不变）。大权重代价更高，网络更倾向于许多小权重，通常更不容易过拟合。',
  },
  l1: {
    label: 'L1 权重惩罚',
    summary: '在损失中加入层堆栈中全连接层和卷积层的卷积核上的 λ·Σ|w|（自带正则项的层保持不变）。它对零的恒定拉力把不重要的权重推到接近零处，梯度步会让它们在零附近徘徊（要得到恰好为零需要阈值化步骤），因此各层变得近乎稀疏。',
  },
  weightDecay: {
    label: '解耦权重衰减（AdamW）',
    summary: '每次优化器更新时，还把每个卷积核乘以 (1 − 学习率 · rate)，按更新之前的权重计算，与 PyTorch 的 AdamW 相同。与 L2 惩罚不同，它不会被 Adam 的逐权重步长重新缩放，这正是 AdamW 对 Adam 的修正。',
  },
  sgd: {
    label: 'SGD',
    summary: '最朴素的随机梯度下降：每个批次执行 w ← w − η·g。它是其他优化器改进的基线，配合合适的学习率调度仍然有很好的泛化能力。',
  },
  momentum: {
    label: '带动量的 SGD',
    summary: '维护速度 v ← μ·v + g，并执行 w ← w − η·v。方向一致的梯度会积累速度，来回振荡的梯度相互抵消，有助于穿过狭长的损失谷。',
  },
  nesterov: {
    label: 'Nesterov 动量',
    summary: '向前看的动量：更新使用 g + μ·v，即速度生效后的梯度。它比经典动量更早纠正冲过头的情况。',
  },
  adagrad: {
    label: 'Adagrad',
    summary: '把每个权重的步长除以其历史梯度平方和的平方根。很少更新的权重保持较大步长，但所有步长都会随时间缩小，可能让长时间的训练停滞。',
  },
  rmsprop: {
    label: 'RMSProp',
    summary: '把每个权重的步长除以其近期梯度的滑动均方根加 ε，与 PyTorch 的定义相同（学习率乘在动量缓冲上，而不是其中的每个梯度上）。与 Adagrad 不同，它会遗忘旧梯度，因此步长能自适应而不会无限缩小。',
  },
  adam: {
    label: 'Adam',
    summary: '把动量（梯度的滑动平均）与 RMSProp 的逐权重缩放结合起来，并对最初几步做偏差校正。它是稳健的默认选择，几乎不需要调学习率。',
  },
  clipNorm: {
    label: '按全局范数 θ 裁剪梯度',
    summary: '当所有梯度合起来的范数超过 θ 时，把每个梯度乘以 θ/范数。步长的方向不变，只限制其长度，从而驯服偶尔出现、会毁掉训练的巨大梯度。',
  },
  clipValue: {
    label: '按数值裁剪梯度',
    summary: '把每个梯度分量限制在 [-c, c] 之内。它比按范数裁剪更便宜，但当只有部分分量很大时会改变步长的方向。',
  },
  lrExponential: {
    label: '学习率每轮乘以 γ',
    summary: '每一轮结束后把学习率乘以 γ，第 e 轮使用 η·γ^e。早期的大步快速推进，后期的小步在极小值处稳定下来。',
  },
  lrStep: {
    label: '阶梯衰减',
    summary: '每隔 step 轮把学习率乘以 γ，其间保持不变。突然的下降常常在损失曲线上表现为陡降。',
  },
  lrCosine: {
    label: '余弦衰减',
    summary: '学习率逐轮沿半个余弦波下降，从第一轮的 η 趋向 η·minFactor，在最后一轮结束时才到达，因此没有哪一轮以下限本身训练。衰减在两端平缓，在训练中段最快。',
  },
  lrWarmup: {
    label: '线性预热',
    summary: '在最初几轮中按批次把学习率从 startFactor·η 线性提升到 η，然后交给衰减调度。它让自适应优化器和批归一化最初信息不足的几步不至于走偏。',
  },
  ensemble: {
    label: 'K 个种子的集成',
    summary: '用不同的种子训练 K 个模型副本，并对它们预测的概率取平均。它们的错误部分独立，因此平均结果通常比任何单个成员更准确。',
  },
  weightAveraging: {
    label: '权重平均（SWA）',
    summary: '把最后 k 轮每轮结束时的权重平均成一个模型，然后为它重新计算批归一化统计量。平均点比任何单个终点更接近宽极小值的中心，通常泛化更好。',
  },
};

/** Parameter labels and help, and preset texts, keyed by their English text (shared by several tricks). */
export const TEXT_ZH: Record<string, string> = {
  // parameter labels
  'Learning rate': '学习率',
  Momentum: '动量',
  Epsilon: 'Epsilon',
  'Strength λ': '强度 λ',
  'Factor γ': '因子 γ',
  'Limit a': '界限 a',
  'Limit c': '界限 c',
  'Drop probability p': '丢弃概率 p',
  Patience: '耐心轮数',
  'Min delta': '最小改进量',
  'Restore best weights': '恢复最佳权重',
  'Initial accumulator': '初始累加值',
  'Decay ρ': '衰减 ρ',
  'β1': 'β1',
  'β2': 'β2',
  'Threshold θ': '阈值 θ',
  'Step (epochs)': '间隔（轮）',
  'Floor factor': '下限因子',
  Centered: '中心化',
  'Warm-up epochs': '预热轮数',
  'Start factor': '起始因子',
  'Members K': '成员数 K',
  'Last k epochs': '最后 k 轮',
  // parameter help
  'Step size of each update.': '每次更新的步长。',
  'Fraction of the previous update carried into the next one.': '上一次更新带入下一次更新的比例。',
  'Added to the denominator so that a near-zero statistic cannot blow the step up.': '加到分母上，防止接近零的统计量让步长暴涨。',
  'Weight of the squared-norm penalty in the loss.': '平方范数惩罚在损失中的权重。',
  'Weight of the absolute-value penalty in the loss.': '绝对值惩罚在损失中的权重。',
  'Decay rate; the per-step shrink is learning rate × rate.': '衰减率；每步的收缩量为 学习率 × rate。',
  'The learning rate is multiplied by γ at each decay.': '每次衰减时学习率乘以 γ。',
  'Weights are drawn from U(-a, a).': '权重从 U(-a, a) 抽取。',
  'How slowly the moving mean and variance used at inference follow the batch statistics.': '推理时使用的滑动均值和方差跟随批统计量的缓慢程度。',
  'Fraction of units zeroed at each training step.': '每个训练步被置零的单元比例。',
  'Epochs without improvement before stopping.': '停止前允许没有改进的轮数。',
  'Smallest drop in validation loss that counts as an improvement.': '验证损失至少下降多少才算改进。',
  'always: end with the weights of the best epoch; whenStopped: only when training stopped early (Keras 2); never: keep the last weights.':
    'always：结束时使用最佳一轮的权重；whenStopped：仅在提前停止时恢复（Keras 2）；never：保留最后的权重。',
  'Starting value of the sum of squared gradients.': '梯度平方和的初始值。',
  'How slowly the mean of squared gradients forgets.': '梯度平方均值遗忘的缓慢程度。',
  'Decay of the moving mean of gradients.': '梯度滑动平均的衰减。',
  'Decay of the moving mean of squared gradients.': '梯度平方滑动平均的衰减。',
  'Largest global gradient norm allowed.': '允许的最大全局梯度范数。',
  'Each gradient component is clamped to [-c, c].': '每个梯度分量被限制在 [-c, c]。',
  'Number of epochs between two decays.': '两次衰减之间的轮数。',
  'Where the curve ends, as a fraction of the initial learning rate.': '曲线的终点，占初始学习率的比例。',
  'Divide by the moving standard deviation of the gradients (their mean square minus their squared mean) instead.':
    '改为除以梯度的滑动标准差（梯度平方的均值减去均值的平方）。',
  'Epochs over which the learning rate ramps up.': '学习率逐步上升所用的轮数。',
  'Learning rate of the very first batch, as a fraction of η.': '第一个批次的学习率，占 η 的比例。',
  'Number of independently seeded models.': '独立设定种子的模型数量。',
  'Number of final epochs whose weights are averaged.': '参与权重平均的最后几轮的数量。',
  // augmentation parameters
  Probability: '概率',
  'Chance that a training image is mirrored in a given epoch.': '某一轮中一张训练图像被镜像的概率。',
  'Largest shift (pixels)': '最大平移（像素）',
  'Each image moves by up to this many pixels left or right and up or down (CIFAR recipes use 4 on 32 × 32).':
    '每张图像左右和上下各至多移动这么多像素（CIFAR 的常用做法是在 32 × 32 上取 4）。',
  Fill: '填充',
  'What the uncovered border shows: zero (black, a raw pixel value of 0, before input scaling) or the nearest edge pixel repeated.':
    '露出的边框显示什么：zero（黑色，即输入缩放前的原始像素值 0）或重复最近的边缘像素。',
  'Noise (× input std)': '噪声（× 输入标准差）',
  "Standard deviation of the noise as a fraction of the training split's standard deviation (per feature for tables, over all pixels for images), whatever the input scaling.":
    '噪声的标准差，以训练集标准差的比例表示（表格数据按特征，图像按全部像素），与输入缩放无关。',
  // presets
  'MNIST · multilayer perceptron': 'MNIST · 多层感知机',
  'The classic first network: flatten each 28×28 digit and classify it with one hidden layer of 128 ReLU units.':
    '经典的入门网络：把每个 28×28 的数字展平，用一个含 128 个 ReLU 单元的隐藏层分类。',
  'MNIST · small convolutional network': 'MNIST · 小型卷积网络',
  'Two convolution + max-pooling stages learn strokes and parts of digits; a dense layer reads the result.':
    '两级卷积 + 最大池化学习数字的笔画和局部，一个全连接层读取结果。',
  'Fashion-MNIST · CNN with batch norm and dropout': 'Fashion-MNIST · 带批归一化和 dropout 的 CNN',
  'A small CNN (two 3×3 convolutions with batch norm, max pooling, dropout before the classifier) on the 60,000 Fashion-MNIST training images; about 0.90 test accuracy after 10 epochs. Import Fashion-MNIST first (layerwise dataset add idx /usr/share/datasets/fashion-mnist).':
    '一个小型 CNN（两个带批归一化的 3×3 卷积、最大池化、分类器前的 dropout），在 60,000 张 Fashion-MNIST 训练图像上训练；10 轮后测试准确率约 0.90。请先导入 Fashion-MNIST（layerwise dataset add idx /usr/share/datasets/fashion-mnist）。',
  'MNIST · CNN with batch norm and dropout': 'MNIST · 带批归一化和 dropout 的 CNN',
  'The small CNN with batch normalisation before each ReLU and dropout before the classifier: compare it with mnist-cnn to see both tricks at work.':
    '在每个 ReLU 前加批归一化、在分类器前加 dropout 的小型 CNN：与 mnist-cnn 对比，看看这两个技巧的作用。',
  'MNIST · mini ResNet': 'MNIST · 迷你 ResNet',
  'Residual blocks add their input back to their output, so gradients reach early layers through the shortcuts; the second block halves the resolution and needs a 1×1 projection.':
    '残差块把输入加回到输出上，梯度通过捷径到达前面的层；第二个块把分辨率减半，需要 1×1 投影。',
  'MNIST · mini Inception': 'MNIST · 迷你 Inception',
  'One inception block looks at the same feature map through 1×1, 3×3 and 5×5 windows and a pooling path at once, and concatenates what each branch finds.':
    '一个 inception 块同时用 1×1、3×3、5×5 窗口和一条池化路径观察同一个特征图，并拼接各分支的发现。',
  'Spiral · 2-D multilayer perceptron': '螺旋 · 二维多层感知机',
  'Three interleaved spiral arms that no straight line can separate: two hidden layers bend the decision boundary around them.':
    '三条交错的螺旋臂无法用直线分开：两个隐藏层把决策边界弯曲着绕过它们。',
  "Pattern · LSTM over tokens": '模式 · 词元上的 LSTM',
  "Does the sequence hold C A D, in that order? Half the others hold the same three symbols shuffled, so counting symbols is not enough: an embedding turns each token into a vector and an LSTM reads them in order, remembering what it has just seen.":
    '序列中是否按顺序出现 C A D？其余序列中有一半含有打乱顺序的这三个符号，所以只数符号是不够的：嵌入层把每个词元变成向量，LSTM 按顺序读取它们，并记住刚刚看到的内容。',
  "Sine · small transformer": '正弦 · 小型 Transformer',
  "Which of four frequency bands is this noisy sine in? Each step becomes a 16-dimensional vector plus a learned vector for its position, one transformer encoder block (two attention heads, layer norm first) relates every step to every other, and the average over the steps feeds the classifier.":
    '这段带噪声的正弦波属于四个频段中的哪一个？每一步变成一个 16 维向量并加上其位置的可学习向量，一个 Transformer 编码器块（两个注意力头，先做层归一化）把每一步与其他所有步联系起来，对各步取平均后交给分类器。',
};

/** The built-in lessons (shared/lessons), by id: title and claim in Simplified Chinese. */
export const LESSONS_ZH: Record<string, { title: string; claim: string }> = {
  'init-scale': {
    title: '权重初始化：N(0,1)、均匀分布、N(0,1/n_in)、Xavier、He',
    claim:
      '从 N(0,1) 抽取的权重不考虑该层的输入数 n：在 ReLU 下每一层都会把激活值的离散程度放大约 √(n/2) 倍，随深度而爆炸。按输入数缩放可以修正量级，但只有 He 的 N(0,2/n_in) 能让离散程度在 ReLU 层之间保持不变；N(0,1/n_in) 和 Xavier 每层把它缩小约 √2 倍，很小的均匀分布范围缩小得更快。在初始化时和用普通 SGD 训练之后测量，He 应该能保持离散程度并训练得最好。',
  },
  'batch-norm': {
    title: '批归一化：开 / 关',
    claim: '对每个隐藏层的预激活按批归一化，使其保持在梯度能顺畅流动的范围内，因此深层网络训练得更快：用普通 SGD 训练同样的几轮后，带批归一化的网络应明显更准确。',
  },
  dropout: {
    title: '在会过拟合的网络上比较 Dropout 0 / 0.2 / 0.5',
    claim:
      '训练时随机把隐藏单元置零，使网络无法依赖特定的单元，从而减少过拟合。在训练数字很少、宽网络能把训练集背下来的情况下，使用 dropout 最终的测试损失应更低，训练损失与测试损失之间的差距应更小；测试准确率可能几乎不变。',
  },
  'early-stopping': {
    title: '早停（恢复最佳权重）',
    claim: '在小训练集上训练很久，网络会把训练集背下来，验证损失又会回升；在验证损失不再改善时停止并恢复最佳权重，可以保留过拟合之前的模型，测试损失更低。（验证损失并不关注测试准确率，后者不一定随之提高。）',
  },
  'optimizer-race': {
    title: 'SGD、动量与 Adam：默认学习率与调优学习率下的比较',
    claim: '动量沿一致的梯度方向积累速度，Adam 还按每个权重的梯度历史缩放其步长，因此两者达到给定准确率所需的轮数都应少于普通 SGD。公平的比赛要让每个优化器都用上自己最好的学习率：无论在默认学习率下，还是在各自小网格中最好的学习率下，第一轮之后动量和 Adam 都应领先 SGD。',
  },
  clipping: {
    title: '在会发散的学习率下按 θ=10 和 θ=1 裁剪梯度',
    claim: '学习率过大（SGD 学习率为 2）时，每一步都会冲过头，权重爆炸，损失变成 NaN。把梯度的全局范数限制在 θ（笔记建议 1 或 10）可以把每一步限制在学习率 × θ 以内：运行保持有限，θ 足够小时还能学到东西。以达到的测试准确率来判定，而不仅仅看是否出现 NaN。',
  },
  'lr-decay': {
    title: '以衰减后的学习率微调，与保持恒定学习率继续训练',
    claim: '大步长推进得快，但最终会在极小值周围来回跳动；在最后的微调阶段降低学习率，能让权重稳稳落入极小值。同一次运行在最后几轮以十分之一的学习率继续训练，最终的测试损失应低于以恒定学习率继续训练。',
  },
  ensemble: {
    title: '单个模型与五模型集成的逐种子比较',
    claim: '用不同随机种子训练的模型所犯的错误部分独立，因此对它们预测的概率取平均比单个模型更准确，也更少依赖某一个种子的运气：在相同的种子下，每个集成都应胜过它自己的第一个成员，并且集成的测试准确率在种子之间的波动应小于单个模型。',
  },
  residual: {
    title: '深层普通堆叠与残差块',
    claim: '在深层普通堆叠中，信号及其梯度逐层衰减，前面的层几乎学不到东西；残差块把每个块的输入加到输出上，为梯度提供捷径，因此同样的深度也能训练好。',
  },
  'input-scaling': {
    title: '输入缩放：[0,1]、[-1,1]、标准化或原始 0–255，分别配合 SGD 和 Adam',
    claim:
      '笔记的第一点：训练前先缩放输入。原始像素值 0–255 会让第一层的预激活和梯度比初始化所预期的大上数百倍，因此适合缩放后输入的学习率会冲过头。把输入映射到 [0,1] 或 [-1,1]，或做标准化后，同样的网络和优化器应训练到明显更高的准确率；普通 SGD 受影响最大，Adam（按每个权重缩放步长）受影响较小。',
  },
};
