/**
 * EBS direct (REST-JSON) and block content: {@link org.fedoraproject.fedimg.emulator.ebs.EbsApi} routes
 * StartSnapshot, PutSnapshotBlock and CompleteSnapshot (writes) and ListSnapshotBlocks, ListChangedBlocks and
 * GetSnapshotBlock (reads); {@link org.fedoraproject.fedimg.emulator.ebs.BlockStore} keeps 512 KiB blocks on
 * disk by SHA-256; {@link org.fedoraproject.fedimg.emulator.ebs.BlockContent} moves blocks between snapshots,
 * instance-store images and volume files, and gives an instance its root disk. Not an API.
 */
package org.fedoraproject.fedimg.emulator.ebs;
