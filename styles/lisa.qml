<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: local Moran's I of the areas by quadrant:
     high among high (HH) red, low among low (LL) blue, the outliers (HL,
     LH) light; areas that are not significant are left clear. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="quadrant" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
<!--rows-->      <category symbol="{{i}}" value="{{value}}" label="{{label}}" render="true"/>
<!--/rows-->    </categories>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="{{outline}}"/>
          <prop k="outline_color" v="120,120,120,255"/>
          <prop k="outline_width" v="0.1"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "area_name" %]&lt;/b&gt; ([% "area_id" %])&lt;br&gt;[% "quadrant" %]; local Moran's I [% format_number("local_i", 3) %], permutation p [% format_number("p_sim", 3) %], after FDR [% format_number("p_fdr", 3) %]</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
