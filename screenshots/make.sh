#!/usr/bin/env bash
# Regenerate the pictures in this folder with the app's own headless modes (fixed theme, 120x40):
# an animated SVG per operator family, every step one frame (upsample-tui --record), and still
# SVGs of the views that do not step (upsample-tui --screenshot). Run from anywhere, inside the
# project's virtual environment: screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")"
shot() {  # name, then upsample-tui flags
    local name=$1
    shift
    upsample-tui "$@" --terminal-size 120x40 --screenshot "$name.svg"
    echo "screenshots/$name.svg"
}
rec() {  # name, then upsample-tui flags: every step of the scene, 0.8 s each
    local name=$1
    shift
    upsample-tui "$@" --terminal-size 120x40 --frame-time 0.8 --record "$name.svg"
    echo "screenshots/$name.svg (animated)"
}
rec max_pool2d           --op max_pool2d
rec avg_pool2d           --op avg_pool2d
rec max_unpool2d         --op max_unpool2d
rec upsample_nearest     --op upsample_nearest
rec upsample_nearest_exact --op upsample_nearest --scale 1.5 --nearest-exact --input ramp --size 2x3
rec bed_of_nails         --op bed_of_nails
rec upsample_bilinear    --op upsample_bilinear
rec conv2d               --op conv2d
rec conv_transpose2d_matrix  --op conv_transpose2d --method matrix
rec conv_transpose2d_scatter --op conv_transpose2d --method scatter --stride 2 --kernel-size 3
rec conv_transpose2d_direct  --op conv_transpose2d --method direct --stride 2
rec pixel_shuffle        --op pixel_shuffle
rec conv_transpose2d_compare --op conv_transpose2d --method all
rec pixel_shuffle_dcr    --op pixel_shuffle --out-channels 2 --order dcr
rec pixel_unshuffle      --op pixel_unshuffle
rec conv2d_channels      --op conv2d --in-channels 2 --out-channels 2
rec conv2d_depthwise     --op conv2d --in-channels 2 --out-channels 2 --groups 2
rec conv_transpose2d_scatter_channels --op conv_transpose2d --in-channels 2 --out-channels 3 --method scatter
rec max_pool2d_channels  --op max_pool2d --in-channels 2
rec conv_transpose2d_compare_channels --op conv_transpose2d --in-channels 2 --out-channels 2 --method all
shot tour_stop6_conv_transpose2d_matrix --tour-stop 6 --press n,n,n,n
shot conv_transpose2d_compare_w1  --op conv_transpose2d --method all --press n,w
shot conv_transpose2d_overlap     --op conv_transpose2d --stride 2 --kernel-size 3 --kernel checkerboard --press k
shot conv_transpose2d_conventions --op conv_transpose2d --stride 2 --kernel-size 3 --press f
shot conv_transpose2d_matrix_groups --op conv_transpose2d --in-channels 2 --out-channels 2 --groups 2 --method matrix --press n
shot tour_stop6_ko               --lang ko --tour-stop 6 --press n,n,n,n
shot tour_stop11_channels        --tour-stop 11 --press n
