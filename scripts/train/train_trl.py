"""Fine-tune SmolVLM as a VLMGuard-R1 rewriter on the TRL export of `npm run synthesize`.

LoRA by default (the adapter, then the merged model for export_onnx.py), or full fine-tuning with --full. The loss
covers the assistant turn only: the collator masks the user turn (instructions, image, question), the image tokens and
the padding in the labels. Heavy imports live in main(), so --help works without torch.
"""

import argparse
import json
from pathlib import Path

DEFAULT_MODEL = "HuggingFaceTB/SmolVLM-256M-Instruct"
IGNORE_INDEX = -100
# The tokens the Idefics3 processor puts around and in place of an image; none of them is the model's to predict.
IMAGE_TOKENS = ["<image>", "<fake_token_around_image>", "<global-img>"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="base model: a Hub id or a local folder")
    parser.add_argument("--data", required=True, help="trl/train.jsonl of the export")
    parser.add_argument("--validation", default=None, help="trl/validation.jsonl (default: beside --data, if there)")
    parser.add_argument(
        "--image-root", default=None, help="folder the rows' image paths are relative to (default: the export root)"
    )
    parser.add_argument("--out", required=True, help="output folder: adapter/ and merged/ (LoRA) or model/ (full)")
    method = parser.add_mutually_exclusive_group()
    method.add_argument("--lora", dest="full", action="store_false", help="train a LoRA adapter (the default)")
    method.add_argument("--full", dest="full", action="store_true", help="fine-tune every weight of the language model")
    parser.add_argument("--lora-rank", type=int, default=16, help="LoRA rank")
    parser.add_argument("--epochs", type=float, default=2.0, help="training epochs")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: 1e-4 LoRA, 1e-5 full)")
    parser.add_argument("--batch", type=int, default=4, help="per-device batch size")
    parser.add_argument("--grad-accum", type=int, default=4, help="gradient accumulation steps")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def read_rows(path):
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


class RewriterCollator:
    """Tokenizes chat rows with their images, one tile per image as the app sends it, and builds the labels."""

    def __init__(self, processor, image_root):
        from PIL import Image

        self.open_image = lambda relative: Image.open(Path(image_root) / relative).convert("RGB")
        self.processor = processor
        processor.image_processor.do_image_splitting = False
        tokenizer = processor.tokenizer
        self.masked_ids = [tokenizer.convert_tokens_to_ids(token) for token in IMAGE_TOKENS]
        self.pad_id = tokenizer.pad_token_id

    def __call__(self, rows):
        import torch

        images = [[self.open_image(path) for path in row["images"]] for row in rows]
        texts = [self.processor.apply_chat_template(row["messages"], tokenize=False) for row in rows]
        prompts = [
            self.processor.apply_chat_template(row["messages"][:1], tokenize=False, add_generation_prompt=True)
            for row in rows
        ]
        batch = self.processor(text=texts, images=images, padding=True, return_tensors="pt", add_special_tokens=False)
        labels = batch["input_ids"].clone()
        for index, (prompt, row_images) in enumerate(zip(prompts, images)):
            prompt_ids = self.processor(text=[prompt], images=[row_images], add_special_tokens=False)["input_ids"][0]
            labels[index, : len(prompt_ids)] = IGNORE_INDEX
        labels[batch["attention_mask"] == 0] = IGNORE_INDEX
        labels[torch.isin(labels, torch.tensor(self.masked_ids))] = IGNORE_INDEX
        batch["labels"] = labels
        return batch


def main(argv=None):
    args = parse_args(argv)
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from trl import SFTConfig, SFTTrainer

    data = Path(args.data)
    validation = Path(args.validation) if args.validation else data.with_name("validation.jsonl")
    image_root = Path(args.image_root) if args.image_root else data.parent.parent
    processor = AutoProcessor.from_pretrained(args.model)
    model = AutoModelForImageTextToText.from_pretrained(args.model, dtype=torch.bfloat16)
    if args.full:
        for parameter in model.model.vision_model.parameters():
            parameter.requires_grad = False
    peft_config = None
    if not args.full:
        peft_config = LoraConfig(
            r=args.lora_rank,
            lora_alpha=2 * args.lora_rank,
            lora_dropout=0.05,
            # The language model's projections only; the vision tower stays as it is.
            target_modules=r".*text_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)",
            task_type="CAUSAL_LM",
        )
    has_validation = validation.is_file()
    config = SFTConfig(
        output_dir=str(Path(args.out) / "checkpoints"),
        num_train_epochs=args.epochs,
        learning_rate=args.lr if args.lr is not None else (1e-5 if args.full else 1e-4),
        per_device_train_batch_size=args.batch,
        per_device_eval_batch_size=args.batch,
        gradient_accumulation_steps=args.grad_accum,
        lr_scheduler_type="cosine",
        warmup_ratio=0.05,
        bf16=True,
        gradient_checkpointing=True,
        logging_steps=10,
        eval_strategy="epoch" if has_validation else "no",
        save_strategy="epoch",
        save_total_limit=2,
        seed=args.seed,
        report_to="none",
        max_length=None,  # truncation could cut image tokens
        remove_unused_columns=False,
        dataset_kwargs={"skip_prepare_dataset": True},
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(read_rows(data)),
        eval_dataset=Dataset.from_list(read_rows(validation)) if has_validation else None,
        data_collator=RewriterCollator(processor, image_root),
        processing_class=processor,
        peft_config=peft_config,
    )
    trainer.train()

    out = Path(args.out)
    if args.full:
        trainer.save_model(str(out / "model"))
        processor.save_pretrained(str(out / "model"))
        print(f"Model in {out / 'model'}; export it with export_onnx.py --model {out / 'model'}")
        return
    trainer.save_model(str(out / "adapter"))
    merged = trainer.model.merge_and_unload()
    merged.save_pretrained(str(out / "merged"))
    processor.save_pretrained(str(out / "merged"))
    print(f"Adapter in {out / 'adapter'}, merged model in {out / 'merged'}; export it with export_onnx.py --model {out / 'merged'}")


if __name__ == "__main__":
    main()
