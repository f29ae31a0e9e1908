"""Export a fine-tuned SmolVLM (a merged model folder) to the ONNX layout transformers.js loads.

Writes, into --out: onnx/{vision_encoder,embed_tokens,decoder_model_merged}{,_fp16,_q4,_q4f16}.onnx (fp32, fp16,
4-bit com.microsoft MatMulNBits with fp32 and with fp16 activations) and onnx/{vision_encoder,decoder_model_merged}_quantized.onnx
(q8: uint8 weights, MatMulInteger with dynamically quantized activations, which the CPU recipes load): the dtypes of
src/core/model-catalog.ts; and
config.json, generation_config.json, the tokenizer and processor files (preprocessor_config.json with its
processor_class, processor_config.json with image_seq_len, tokenizer_config.json holding the chat template). The I/O
names and shapes are those of shared/docs/TRANSFORMERS-JS-FACTS.md section 2. Heavy imports live in main(), so
--help works without torch.
"""

import argparse
import json
from pathlib import Path

OPSET = 18
DTYPES = ["fp32", "fp16", "q4", "q4f16", "q8"]
SUFFIX = {"fp32": "", "fp16": "_fp16", "q4": "_q4", "q4f16": "_q4f16", "q8": "_quantized"}
# The embedding table is a Gather, which q8 (MatMul only) leaves in fp32: every recipe loads the fp32 or fp16 table.
Q8_SESSIONS = ("vision_encoder", "decoder_model_merged")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--model", required=True, help="the merged model folder (train_trl.py's merged/ or model/)")
    parser.add_argument("--out", required=True, help="the transformers.js model folder to write")
    parser.add_argument("--dtypes", default=",".join(DTYPES), help="comma-separated, of " + ", ".join(DTYPES))
    parser.add_argument("--block-size", type=int, default=32, help="MatMulNBits block size of the q4 variants")
    return parser.parse_args(argv)


def build_wrappers(model):
    """The three sessions transformers.js runs, each a module with its exact input and output names."""
    import torch
    from transformers import DynamicCache

    text_model = model.model.text_model

    class VisionEncoder(torch.nn.Module):
        # pixel_values [batch, num_images, 3, H, W] -> image_features [batch*num_images, image_seq_len, hidden]
        def forward(self, pixel_values, pixel_attention_mask):
            batch, images, channels, height, width = pixel_values.shape
            flat = pixel_values.reshape(batch * images, channels, height, width)
            # One tile per image and batch 1 (how the app runs it): no padded tile, so the mask is all true.
            del pixel_attention_mask
            hidden = model.model.vision_model(pixel_values=flat).last_hidden_state
            return model.model.connector(hidden)

    class EmbedTokens(torch.nn.Module):
        def forward(self, input_ids):
            return text_model.get_input_embeddings()(input_ids)

    class Decoder(torch.nn.Module):
        # One graph for the first step (past length 0) and every next one: transformers.js feeds [1, kv_heads, 0, head_dim] first.
        def forward(self, inputs_embeds, attention_mask, position_ids, *past):
            cache = DynamicCache()
            for layer in range(len(past) // 2):
                cache.update(past[2 * layer], past[2 * layer + 1], layer)
            output = text_model(
                inputs_embeds=inputs_embeds,
                attention_mask=attention_mask,
                position_ids=position_ids,
                past_key_values=cache,
                use_cache=True,
            )
            logits = model.lm_head(output.last_hidden_state)
            present = output.past_key_values
            flat = []
            for layer in range(len(past) // 2):
                key, value = present.layers[layer].keys, present.layers[layer].values
                flat += [key, value]
            return (logits, *flat)

    return VisionEncoder(), EmbedTokens(), Decoder()


def export_fp32(model, processor, onnx_dir):
    import torch

    config = model.config.text_config
    layers, kv_heads = config.num_hidden_layers, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    tile = processor.image_processor.max_image_size["longest_edge"]
    vision, embed, decoder = build_wrappers(model)
    batch = torch.export.Dim("batch_size")

    pixel_values = torch.zeros(1, 1, 3, tile, tile)
    torch.onnx.export(
        vision,
        (pixel_values, torch.ones(1, 1, tile, tile, dtype=torch.bool)),
        str(onnx_dir / "vision_encoder.onnx"),
        input_names=["pixel_values", "pixel_attention_mask"],
        output_names=["image_features"],
        dynamic_shapes=({0: batch, 1: torch.export.Dim("num_images")}, {0: batch, 1: torch.export.Dim("num_images")}),
        opset_version=OPSET,
        dynamo=True,
    )
    sequence = torch.export.Dim("sequence_length")
    torch.onnx.export(
        embed,
        (torch.zeros(1, 4, dtype=torch.long),),
        str(onnx_dir / "embed_tokens.onnx"),
        input_names=["input_ids"],
        output_names=["inputs_embeds"],
        dynamic_shapes=({0: batch, 1: sequence},),
        opset_version=OPSET,
        dynamo=True,
    )
    past_length, new_length = 3, 2
    past = []
    past_names, present_names, past_shapes = [], [], []
    past_sequence = torch.export.Dim("past_sequence_length")
    for layer in range(layers):
        for kind in ("key", "value"):
            past.append(torch.zeros(1, kv_heads, past_length, head_dim))
            past_names.append(f"past_key_values.{layer}.{kind}")
            present_names.append(f"present.{layer}.{kind}")
            past_shapes.append({0: batch, 2: past_sequence})
    total = torch.export.Dim("total_sequence_length")
    torch.onnx.export(
        decoder,
        (
            torch.zeros(1, new_length, config.hidden_size),
            torch.ones(1, past_length + new_length, dtype=torch.long),
            torch.arange(past_length, past_length + new_length).unsqueeze(0),
            *past,
        ),
        str(onnx_dir / "decoder_model_merged.onnx"),
        input_names=["inputs_embeds", "attention_mask", "position_ids", *past_names],
        output_names=["logits", *present_names],
        dynamic_shapes=({0: batch, 1: sequence}, {0: batch, 1: total}, {0: batch, 1: sequence}, *past_shapes),
        opset_version=OPSET,
        dynamo=True,
        external_data=True,
    )


def save(model_proto, path):
    import onnx

    # Over 2 GB a protobuf cannot hold the weights; transformers.js then needs use_external_data_format in config.json.
    large = model_proto.ByteSize() > 1_900_000_000
    onnx.save_model(model_proto, str(path), save_as_external_data=large, location=f"{path.name}_data" if large else None)


def write_q8(source, target):
    """Per-tensor uint8 weights on every MatMul, the layout of the Hub's _quantized files; Convs stay fp32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    large = source.stat().st_size > 1_900_000_000
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QUInt8, op_types_to_quantize=["MatMul"], use_external_data_format=large)


def write_variants(onnx_dir, dtypes, block_size):
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    from onnxruntime.transformers.float16 import convert_float_to_float16

    def quantized(model_proto):
        quantizer = MatMulNBitsQuantizer(model_proto, block_size=block_size, is_symmetric=True)
        quantizer.process()
        return quantizer.model.model

    for session in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
        fp32 = onnx.load(str(onnx_dir / f"{session}.onnx"))
        fp16 = convert_float_to_float16(fp32, keep_io_types=False) if {"fp16", "q4f16"} & set(dtypes) else None
        variants = {"fp16": lambda: fp16, "q4": lambda: quantized(onnx.load(str(onnx_dir / f"{session}.onnx"))), "q4f16": lambda: quantized(fp16)}
        if "q8" in dtypes and session in Q8_SESSIONS:
            write_q8(onnx_dir / f"{session}.onnx", onnx_dir / f"{session}{SUFFIX['q8']}.onnx")
            print(f"  {session}{SUFFIX['q8']}.onnx")
        for dtype in dtypes:
            if dtype not in ("fp32", "q8"):
                save(variants[dtype](), onnx_dir / f"{session}{SUFFIX[dtype]}.onnx")
                print(f"  {session}{SUFFIX[dtype]}.onnx")


def write_model_files(model, processor, out):
    """The non-ONNX files, in the shape transformers.js reads them (TRANSFORMERS-JS-FACTS.md section 1)."""
    model.config.save_pretrained(str(out))
    model.generation_config.save_pretrained(str(out))
    processor.tokenizer.save_pretrained(str(out))
    image_processor = processor.image_processor.to_dict()
    image_processor["processor_class"] = "Idefics3Processor"
    image_processor["image_processor_type"] = "Idefics3ImageProcessor"
    (out / "preprocessor_config.json").write_text(json.dumps(image_processor, indent=2) + "\n")
    processor_config = {"processor_class": "Idefics3Processor", "image_seq_len": processor.image_seq_len}
    (out / "processor_config.json").write_text(json.dumps(processor_config, indent=2) + "\n")
    # Idefics3 in transformers.js reads the chat template from tokenizer_config.json only, never chat_template.jinja.
    tokenizer_config_path = out / "tokenizer_config.json"
    tokenizer_config = json.loads(tokenizer_config_path.read_text())
    tokenizer_config["chat_template"] = processor.chat_template
    tokenizer_config_path.write_text(json.dumps(tokenizer_config, indent=2) + "\n")


def main(argv=None):
    args = parse_args(argv)
    dtypes = [dtype.strip() for dtype in args.dtypes.split(",") if dtype.strip()]
    unknown = sorted(set(dtypes) - set(DTYPES))
    if unknown:
        raise SystemExit(f"--dtypes: unknown {', '.join(unknown)}; choose from {', '.join(DTYPES)}")
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    out = Path(args.out)
    onnx_dir = out / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    processor = AutoProcessor.from_pretrained(args.model)
    # Eager attention traces to plain MatMul/Softmax, which every onnxruntime backend runs.
    model = AutoModelForImageTextToText.from_pretrained(args.model, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    with torch.no_grad():
        export_fp32(model, processor, onnx_dir)
    write_variants(onnx_dir, dtypes, args.block_size)
    write_model_files(model, processor, out)
    print(f"Wrote {out}. Check it with: npm run check-model -- {out}")


if __name__ == "__main__":
    main()
