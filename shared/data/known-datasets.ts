// Public datasets Layerwise recognises by their content when they are imported, so that their class names
// come with them and a preset can ask for one by name ("fashion-cnn trains on Fashion-MNIST") instead of
// falling back to another dataset. Recognition is by the sha256 of each decompressed file: a renamed,
// recompressed copy is still recognised; a modified or partial one is not (it imports as plain IDX data).

export const KNOWN_DATASET_IDS = ['fashion-mnist'] as const;
export type KnownDatasetId = (typeof KNOWN_DATASET_IDS)[number];

export interface KnownDataset {
  id: KnownDatasetId;
  title: string;
  kind: 'idx' | 'cifar';
  inputShape: number[];
  classNames: string[];
  /** sha256 (hex) of each decompressed file, as the importer computes it. */
  sha256: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  /** How to import it: the command, and where the files come from. */
  importCommand: string;
  source: string;
}

export const KNOWN_DATASETS: Readonly<Record<KnownDatasetId, KnownDataset>> = {
  'fashion-mnist': {
    id: 'fashion-mnist',
    title: 'Fashion-MNIST',
    kind: 'idx',
    inputShape: [28, 28, 1],
    // Zalando's labels 0–9, in order (github.com/zalandoresearch/fashion-mnist).
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    sha256: {
      trainImages: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      trainLabels: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      testImages: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      testLabels: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
    importCommand: 'layerwise dataset add idx /usr/share/datasets/fashion-mnist',
    source:
      "the four IDX files of github.com/zalandoresearch/fashion-mnist (Debian and Ubuntu package them: apt install dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist)",
  },
};

/** Which known dataset four decompressed files are, by their sha256; null when they are not one. */
export function recognizeDataset(sha256: KnownDataset['sha256']): KnownDatasetId | null {
  for (const known of Object.values(KNOWN_DATASETS)) {
    const k = known.sha256;
    if (k.trainImages === sha256.trainImages && k.trainLabels === sha256.trainLabels && k.testImages === sha256.testImages && k.testLabels === sha256.testLabels) {
      return known.id;
    }
  }
  return null;
}

/** The sentence a preset that needs a known dataset shows while it is not imported. */
export function importFirstMessage(id: KnownDatasetId, presetId: string): string {
  const known = KNOWN_DATASETS[id];
  return `the preset "${presetId}" trains on ${known.title}, which is not imported yet: import it first with \`${known.importCommand}\` (${known.source}), or in the studio's data panel (kind IDX)`;
}
