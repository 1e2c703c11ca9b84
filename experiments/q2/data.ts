/**
 * Question 2's data: the committed Fashion-MNIST fixture, Fashion-MNIST, or OCTMNIST (the homework's), as the config
 * names it, its training split cut to `limitTrain` when set.
 */
import type { ImageDataset } from '../../src/lib/data/images.ts';
import { datasetInfo, headOfSplits } from '../../src/lib/data/images.ts';
import { loadFashionMnist, loadFashionMnistFixture } from '../../src/lib/data/fashion-mnist.ts';
import { loadOctmnist } from '../../src/lib/data/octmnist.ts';
import type { LoadedData } from '../../src/lib/harness/experiment.ts';
import type { CnnExperimentConfig } from './config.ts';

type Config = CnnExperimentConfig;

/** The images the config names, and what they are. */
export async function cnnData(config: Config): Promise<LoadedData<ImageDataset>> {
  let dataset = await loadDataset(config);
  if (config.limitTrain) dataset = headOfSplits(dataset, { train: config.limitTrain });
  return { dataset: datasetInfo(dataset), data: dataset };
}

async function loadDataset(config: Config): Promise<ImageDataset> {
  switch (config.dataset) {
    case 'fashion-mnist-fixture':
      return config.dataPath ? loadFashionMnistFixture(config.dataPath) : loadFashionMnistFixture();
    case 'fashion-mnist':
      return loadFashionMnist({ dir: config.dataPath });
    case 'octmnist':
      return loadOctmnist({ path: config.dataPath });
  }
}
