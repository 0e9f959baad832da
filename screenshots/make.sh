#!/usr/bin/env bash
# Regenerate the SVG screenshots in this folder, one per operator and one per transposed-convolution
# method, with the app's own headless --screenshot mode (fixed theme, 120x40). Run from anywhere,
# inside the project's virtual environment: screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")"
shot() {  # name, then upsample-tui flags
    local name=$1
    shift
    upsample-tui "$@" --terminal-size 120x40 --screenshot "$name.svg"
    echo "screenshots/$name.svg"
}
shot max_pool2d           --op max_pool2d --press n,n
shot avg_pool2d           --op avg_pool2d --press n,n
shot max_unpool2d         --op max_unpool2d --press n,n
shot upsample_nearest     --op upsample_nearest --press n,n,n,n,n
shot upsample_nearest_exact --op upsample_nearest --scale 1.5 --nearest-exact --input ramp --size 2x3 --press n
shot bed_of_nails         --op bed_of_nails --press n
shot upsample_bilinear    --op upsample_bilinear --press n,n,n,n,n
shot conv2d               --op conv2d --press n,n
shot conv_transpose2d_matrix  --op conv_transpose2d --method matrix --press n,n,n,n
shot conv_transpose2d_scatter --op conv_transpose2d --method scatter --stride 2 --kernel-size 3 --press n,n,n
shot conv_transpose2d_direct  --op conv_transpose2d --method direct --stride 2 --press n,n,n,n,n
shot pixel_shuffle        --op pixel_shuffle --press n,n,n,n,n
shot pixel_shuffle_dcr    --op pixel_shuffle --out-channels 2 --order dcr --press n,n,n,n,n
shot pixel_unshuffle      --op pixel_unshuffle --press n,n,n,n,n,n
shot conv2d_channels      --op conv2d --in-channels 2 --out-channels 2 --press n,n,n,n,n
shot conv2d_depthwise     --op conv2d --in-channels 2 --out-channels 2 --groups 2 --press n,n,n,n,n
shot conv_transpose2d_scatter_channels --op conv_transpose2d --in-channels 2 --out-channels 3 --method scatter --press n,n,n,n,n
shot max_pool2d_channels  --op max_pool2d --in-channels 2 --press n,n,n,n,n
shot tour_stop6_conv_transpose2d_matrix --tour-stop 6 --press n,n,n,n
shot conv_transpose2d_compare     --op conv_transpose2d --method all --press n,n,n,n
shot conv_transpose2d_compare_w1  --op conv_transpose2d --method all --press n,w
shot conv_transpose2d_overlap     --op conv_transpose2d --stride 2 --kernel-size 3 --kernel checkerboard --press k
shot conv_transpose2d_conventions --op conv_transpose2d --stride 2 --kernel-size 3 --press f
